package org.sipshield.proxy.transport;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.TlsSettings;
import org.sipshield.tls.CertificateExpiryMonitor;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.OcspClient;
import org.sipshield.tls.OcspSettings;
import org.sipshield.tls.RevocationChecker;
import org.sipshield.tls.TrustStore;
import org.sipshield.tls.TrustStoreRevocationCheck;
import org.sipshield.tls.WebhookExpiryNotifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tls section's OCSP client and the certificate checks that run beside the TLS listeners
 * (expiry warnings, the trust store asked of OCSP); the sockets themselves are {@link LiveSipTls}'s.
 */
public final class SipTls {
    private static final Logger LOG = LoggerFactory.getLogger(SipTls.class);

    private SipTls() {}

    /** The OCSP client of the tls section, or null when OCSP is off. */
    public static RevocationChecker ocsp(TlsSettings tls) {
        if (!tls.ocspEnabled()) {
            return null;
        }
        Duration every = Duration.ofSeconds(tls.ocspCheckEverySeconds());
        return new OcspClient(tls.ocspResponder() == null ? OcspSettings.fromCertificate(every, tls.ocspStrict())
                : OcspSettings.configured(tls.ocspResponder(), every, tls.ocspStrict()));
    }

    /** Expiry warnings for our identities and trust stores, in the log and, if configured, to a webhook. */
    public static CertificateExpiryMonitor startExpiryMonitor(ScheduledExecutorService housekeeping, SipShieldConfig config,
            Clock clock) {
        TlsSettings tls = config.tls();
        List<CertificateExpiryMonitor.Listener> listeners = new ArrayList<>();
        if (tls.expiryWebhook() != null) {
            listeners.add(new WebhookExpiryNotifier(tls.expiryWebhook(), Duration.ofSeconds(10)));
        }
        CertificateExpiryMonitor monitor = new CertificateExpiryMonitor(new CertificateExpiryMonitor.Settings(
                tls.notificationStartDays(), Duration.ofHours(tls.notificationFrequencyHours())),
                CertificateExpiryMonitor.certificatesIn(config.server().dataDirectory()), clock, listeners);
        monitor.start(housekeeping);
        return monitor;
    }

    /** The SIP trust store's certificates asked of OCSP every ocsp.checkEverySeconds, the first time soon after start. */
    public static java.util.concurrent.ScheduledFuture<?> scheduleTrustStoreChecks(ScheduledExecutorService housekeeping, SipShieldConfig config,
            RevocationChecker ocsp) {
        TrustStoreRevocationCheck trustCheck = new TrustStoreRevocationCheck(
                new TrustStore(config.server().dataDirectory(), CertificatePurpose.SIP), ocsp);
        return housekeeping.scheduleWithFixedDelay(() -> {
            try {
                trustCheck.runOnce();
            } catch (RuntimeException e) {
                LOG.warn("OCSP check of the SIP trust store: {}", e.toString());
            }
        }, 5, config.tls().ocspCheckEverySeconds(), TimeUnit.SECONDS);
    }
}
