package org.sipshield.config;

/** The reference's Phone Security Profile (SIP), the settings a SIP security proxy enforces. */
public record PhoneSecurityProfile(
        String name,
        String description,
        DeviceSecurityMode deviceSecurityMode,
        TransportType transportType,
        boolean enableDigestAuthentication,
        int nonceValidityTime,
        int sipPhonePort,
        DigestOptions digestOptions) {}
