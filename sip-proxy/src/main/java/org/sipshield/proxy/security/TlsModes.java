package org.sipshield.proxy.security;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.SipShieldConfig;

/** The config's device security modes as the tls module knows them (Non Secure uses no TLS). */
public final class TlsModes {
    private TlsModes() {}

    /**
     * The modes the SIP TLS listener serves: ENCRYPTED always, AUTHENTICATED (NULL-SHA, offered last)
     * when a profile uses it and no cipher string revoked it.
     */
    public static Set<org.sipshield.tls.DeviceSecurityMode> sipListenerModes(SipShieldConfig config) {
        Set<org.sipshield.tls.DeviceSecurityMode> modes = EnumSet.of(org.sipshield.tls.DeviceSecurityMode.ENCRYPTED);
        if (config.tls().policy().authenticatedModeAvailable()) {
            config.sipTrunkSecurityProfiles().forEach(p -> tls(p.deviceSecurityMode()).ifPresent(modes::add));
            config.phoneSecurityProfiles().forEach(p -> tls(p.deviceSecurityMode()).ifPresent(modes::add));
        }
        return modes;
    }

    public static Optional<org.sipshield.tls.DeviceSecurityMode> tls(DeviceSecurityMode mode) {
        return switch (mode) {
            case AUTHENTICATED -> Optional.of(org.sipshield.tls.DeviceSecurityMode.AUTHENTICATED);
            case ENCRYPTED -> Optional.of(org.sipshield.tls.DeviceSecurityMode.ENCRYPTED);
            case NON_SECURE -> Optional.empty();
        };
    }
}
