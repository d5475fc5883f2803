package org.sipshield.config;

/**
 * The reference's Phone Security Profile (SIP), the settings a SIP security proxy enforces, and
 * beyond it the call limits each phone using the profile gets (counted per phone).
 */
public record PhoneSecurityProfile(
        String name,
        String description,
        DeviceSecurityMode deviceSecurityMode,
        TransportType transportType,
        boolean enableDigestAuthentication,
        int nonceValidityTime,
        int sipPhonePort,
        DigestOptions digestOptions,
        CallLimits limits) {
    /** A profile without call limits. */
    public PhoneSecurityProfile(String name, String description, DeviceSecurityMode deviceSecurityMode,
            TransportType transportType, boolean enableDigestAuthentication, int nonceValidityTime, int sipPhonePort,
            DigestOptions digestOptions) {
        this(name, description, deviceSecurityMode, transportType, enableDigestAuthentication, nonceValidityTime,
                sipPhonePort, digestOptions, CallLimits.NONE);
    }
}
