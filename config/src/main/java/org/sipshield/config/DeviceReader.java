package org.sipshield.config;

import java.util.List;
import org.sipshield.tls.CertificateFingerprint;

/** The device entries of a file: phones and voicemail ports, one mapping each. */
final class DeviceReader {
    private DeviceReader() {}

    static Phone phone(YamlMapping m) {
        String deviceName = ModelReader.name(m, "deviceName");
        String profile = m.requiredString("securityProfile", "the name of a phoneSecurityProfiles entry");
        String digestUser = m.string("digestUser", null);
        List<String> lines = m.list("lines", element -> ModelReader.directoryNumber(element));
        if (lines.isEmpty()) {
            m.problem("lines", "a phone needs at least one line", "directory numbers, e.g. [\"2001\"]");
        }
        CertificateFingerprint fingerprint = certificateFingerprint(m);
        m.finish();
        return new Phone(deviceName, profile, digestUser, lines, fingerprint);
    }

    static VoicemailPort voicemailPort(YamlMapping m) {
        String deviceName = ModelReader.name(m, "deviceName");
        String server = m.requiredString("voicemailServer", "the name of the voicemail server the port belongs to");
        String profile = m.requiredString("securityProfile", "the name of a phoneSecurityProfiles entry");
        DeviceSecurityMode mode = m.enumValue("deviceSecurityMode", DeviceSecurityMode.class,
                null, DeviceSecurityMode::label);
        if (mode == null && !m.has("deviceSecurityMode")) {
            m.problem("deviceSecurityMode", "missing", "Non Secure, Authenticated, Encrypted (the profile's mode)");
        }
        String digestUser = m.string("digestUser", null);
        String number = m.requiredString("directoryNumber", "the port's directory number");
        if (number != null && !number.matches("[0-9*#+]{1,32}")) {
            m.problem("directoryNumber", "'" + number + "' is not a directory number", "digits, * # +, up to 32");
        }
        CertificateFingerprint fingerprint = certificateFingerprint(m);
        m.finish();
        return new VoicemailPort(deviceName, server, profile, mode, digestUser, number, fingerprint);
    }

    /** Parsed here, once per load: the request path compares fingerprints, never their text. */
    private static CertificateFingerprint certificateFingerprint(YamlMapping m) {
        String text = m.string("certificateFingerprint", null);
        if (text == null) {
            return null;
        }
        return CertificateFingerprint.parse(text).orElseGet(() -> {
            m.problem("certificateFingerprint", "'" + (text.length() > 120 ? text.substring(0, 120) + "..." : text)
                    + "' is not a SHA-256 fingerprint",
                    "64 hex digits, optionally in pairs separated by colons (openssl x509 -noout -fingerprint -sha256)");
            return null;
        });
    }
}
