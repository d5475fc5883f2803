package org.sipshield.config;

import org.sipshield.tls.CertificateFingerprint;

/**
 * A port of a voicemail server; it registers like a phone. Its device security mode must be its
 * profile's, and all ports of one voicemail server share one mode. Secure ports prove themselves
 * with a certificate as phones do (certificateFingerprint: the pinned one, or null).
 */
public record VoicemailPort(String deviceName, String voicemailServer, String securityProfile,
        DeviceSecurityMode deviceSecurityMode, String digestUser, String directoryNumber,
        CertificateFingerprint certificateFingerprint) {}
