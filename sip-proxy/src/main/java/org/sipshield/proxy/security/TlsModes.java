package org.sipshield.proxy.security;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.tls.TlsProtection;

/**
 * The one place where the config's device security modes become the tls module's protection
 * levels; Non Secure uses no TLS and so has none.
 */
public final class TlsModes {
    private TlsModes() {}

    /**
     * What the SIP TLS listener serves: ENCRYPTION always, INTEGRITY (NULL-SHA, offered last)
     * when a profile is Authenticated and no cipher string revoked it.
     */
    public static Set<TlsProtection> sipListenerProtections(SipShieldConfig config) {
        Set<TlsProtection> protections = EnumSet.of(TlsProtection.ENCRYPTION);
        if (config.tls().policy().authenticatedModeAvailable()) {
            config.sipTrunkSecurityProfiles().forEach(p -> protection(p.deviceSecurityMode()).ifPresent(protections::add));
            config.phoneSecurityProfiles().forEach(p -> protection(p.deviceSecurityMode()).ifPresent(protections::add));
        }
        return protections;
    }

    public static Optional<TlsProtection> protection(DeviceSecurityMode mode) {
        return switch (mode) {
            case AUTHENTICATED -> Optional.of(TlsProtection.INTEGRITY);
            case ENCRYPTED -> Optional.of(TlsProtection.ENCRYPTION);
            case NON_SECURE -> Optional.empty();
        };
    }
}
