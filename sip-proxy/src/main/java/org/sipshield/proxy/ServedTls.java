package org.sipshield.proxy;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.proxy.management.ManagementServer;
import org.sipshield.proxy.transport.CertificateChecks;
import org.sipshield.proxy.transport.IdentityFiles;
import org.sipshield.proxy.transport.LiveSipTls;
import org.sipshield.tls.TlsSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every TLS side the proxy serves (the SIP listener's, the management listener's) and the checks
 * beside them, rebuilt together: by a configuration reload (new policy, OCSP, expiry settings) and
 * when the identity files change on disk (certs regenerate, certs import), so new handshakes use the
 * new identity without a restart and without a reload the operator must remember; connections
 * already up keep the session they made. Whatever can fail (an unreadable or mismatched file) is
 * built before anything is swapped, so a failure leaves every side as it was.
 */
final class ServedTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServedTls.class);
    /** How often the identity files are looked at (a change is served once two looks agree): a few stat calls. */
    static final int IDENTITY_FILE_CHECK_SECONDS = 2;

    /** The sides one configuration and the files of one moment make, not yet in force. */
    record Prepared(LiveSipTls.State sip, TlsSocketFactory management) {}

    private final LiveSipTls sip;
    private final Supplier<ManagementServer> management;
    private IdentityFiles identityFiles;
    private CertificateChecks checks;

    ServedTls(LiveSipTls sip, Supplier<ManagementServer> management) {
        this.sip = sip;
        this.management = management;
    }

    /**
     * Starts the expiry and OCSP checks, and the watch on the identity files, on the housekeeping
     * thread. Called once every listener has loaded (or made) its identity, so the files as they are
     * now are the ones served.
     */
    synchronized void startChecks(ScheduledExecutorService housekeeping, Clock clock, SipShieldConfig config,
            Supplier<SipShieldConfig> running) {
        checks = new CertificateChecks(housekeeping, clock);
        checks.apply(config, sip.ocsp());
        identityFiles = new IdentityFiles(config.server().dataDirectory());
        housekeeping.scheduleWithFixedDelay(() -> applyChangedIdentities(running), IDENTITY_FILE_CHECK_SECONDS,
                IDENTITY_FILE_CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** Builds the sides for next; a certificate that cannot be served refuses it and nothing changes. */
    Prepared prepare(SipShieldConfig next) {
        ManagementServer listener = management.get();
        try {
            return new Prepared(sip.prepare(next), listener == null ? null : listener.prepareTls(next.tls().policy()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ReloadRefusedException(List.of("certificates: " + e.getMessage()));
        }
    }

    synchronized void apply(Prepared prepared, SipShieldConfig next) {
        sip.apply(prepared.sip());
        ManagementServer listener = management.get();
        if (listener != null && prepared.management() != null) {
            listener.applyTls(prepared.management());
        }
        if (checks != null) {
            checks.apply(next, prepared.sip().ocsp());
        }
    }

    /**
     * The identity files changed: the running configuration served with them (a failure is logged,
     * the old ones stay). Under this object's lock, which a reload holds from prepare to apply, so
     * the two never interleave.
     */
    synchronized void applyChangedIdentities(Supplier<SipShieldConfig> running) {
        if (!identityFiles.changed()) {
            return;
        }
        // read under the lock: a reload applied meanwhile must not be undone with the configuration before it
        SipShieldConfig config = running.get();
        try {
            apply(prepare(config), config);
            LOG.info("certificate files changed: new TLS handshakes use the new identities");
        } catch (ReloadRefusedException e) {
            LOG.error("certificate files changed but cannot be served, the previous identities stay: {}", e.getMessage());
        }
    }

    synchronized void stop() {
        if (checks != null) {
            checks.stop();
            checks = null;
        }
    }
}
