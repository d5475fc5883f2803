package org.sipshield.config;

/**
 * A port of a voicemail server; it registers like a phone. Its device security mode must be its
 * profile's, and all ports of one voicemail server share one mode.
 */
public record VoicemailPort(String deviceName, String voicemailServer, String securityProfile,
        DeviceSecurityMode deviceSecurityMode, String digestUser, String directoryNumber) {}
