package org.sipshield.proxy.transport;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.TlsSettings;
import org.sipshield.tls.CertificateExpiryMonitor;
import org.sipshield.tls.RevocationChecker;

/**
 * The checks that run beside the TLS listeners on the housekeeping thread: the expiry monitor and
 * the OCSP check of the SIP trust store. A reload that changes their settings (certificateMonitor,
 * expiryWebhook, ocsp) stops them and starts them again with the new ones.
 */
public final class CertificateChecks {
    private final ScheduledExecutorService housekeeping;
    private final Clock clock;
    private TlsSettings settings;
    private RevocationChecker ocsp;
    private CertificateExpiryMonitor expiryMonitor;
    private ScheduledFuture<?> trustStoreChecks;

    public CertificateChecks(ScheduledExecutorService housekeeping, Clock clock) {
        this.housekeeping = housekeeping;
        this.clock = clock;
    }

    /** Starts the checks for config (ocsp: the OCSP client in force, or null), or restarts them if their settings changed. */
    public synchronized void apply(SipShieldConfig config, RevocationChecker ocspOrNull) {
        TlsSettings next = config.tls();
        if (expiryMonitor != null && ocspOrNull == ocsp && sameChecks(settings, next)) {
            return;
        }
        stop();
        settings = next;
        ocsp = ocspOrNull;
        expiryMonitor = SipTls.startExpiryMonitor(housekeeping, config, clock);
        if (ocspOrNull != null) {
            trustStoreChecks = SipTls.scheduleTrustStoreChecks(housekeeping, config, ocspOrNull);
        }
    }

    public synchronized void stop() {
        if (expiryMonitor != null) {
            expiryMonitor.stop();
            expiryMonitor = null;
        }
        if (trustStoreChecks != null) {
            trustStoreChecks.cancel(false);
            trustStoreChecks = null;
        }
    }

    private static boolean sameChecks(TlsSettings a, TlsSettings b) {
        return LiveSipTls.sameOcsp(a, b) && a.notificationStartDays() == b.notificationStartDays()
                && a.notificationFrequencyHours() == b.notificationFrequencyHours()
                && java.util.Objects.equals(a.expiryWebhook(), b.expiryWebhook());
    }
}
