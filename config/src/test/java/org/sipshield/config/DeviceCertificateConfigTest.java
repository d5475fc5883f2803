package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.config.SecurityModelConfigTest.LISTENERS;
import static org.sipshield.config.SecurityModelConfigTest.assertProblem;
import static org.sipshield.config.SecurityModelConfigTest.problems;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipshield.tls.CertificateFingerprint;

/** certificateFingerprint of phones and voicemail ports: its format, one device per certificate. */
class DeviceCertificateConfigTest {
    static final String FINGERPRINT = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    static final String PROFILES = """
            phoneSecurityProfiles:
              - {name: Encrypted phones, deviceSecurityMode: Encrypted}
              - {name: Open phones}
            """;

    @Test
    void aFingerprintIsParsedOnceWithOrWithoutColonsInAnyCase() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(LISTENERS + PROFILES + """
                phones:
                  - {deviceName: SEP001122334455, securityProfile: Encrypted phones, lines: ["2001"], certificateFingerprint: "%s"}
                  - {deviceName: SEP001122334466, securityProfile: Encrypted phones, lines: ["2002"]}
                voicemailPorts:
                  - {deviceName: VM-1, voicemailServer: vm, securityProfile: Encrypted phones, deviceSecurityMode: Encrypted,
                     directoryNumber: "8001", certificateFingerprint: "%s"}
                """.formatted(FINGERPRINT.toLowerCase(), FINGERPRINT.replace(":", "").replace("AB", "BA")), "model.yaml");
        assertEquals(CertificateFingerprint.parse(FINGERPRINT).orElseThrow(), config.phones().get(0).certificateFingerprint());
        assertNull(config.phones().get(1).certificateFingerprint());
        assertEquals(CertificateFingerprint.parse(FINGERPRINT.replace("AB", "BA")).orElseThrow(),
                config.voicemailPorts().get(0).certificateFingerprint());
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void everyBadFingerprintAndEveryCertificatePinnedTwiceIsListedWithItsPath() {
        List<ConfigProblem> problems = problems(PROFILES + """
                phones:
                  - {deviceName: SEPA, securityProfile: Encrypted phones, lines: ["2001"], certificateFingerprint: "AB:CD"}
                  - {deviceName: SEPB, securityProfile: Encrypted phones, lines: ["2002"], certificateFingerprint: "%s"}
                  - {deviceName: SEPC, securityProfile: Encrypted phones, lines: ["2003"], certificateFingerprint: "%s"}
                voicemailPorts:
                  - {deviceName: VM-1, voicemailServer: vm, securityProfile: Encrypted phones, deviceSecurityMode: Encrypted,
                     directoryNumber: "8001", certificateFingerprint: "%s"}
                  - {deviceName: VM-2, voicemailServer: vm, securityProfile: Encrypted phones, deviceSecurityMode: Encrypted,
                     directoryNumber: "8002", certificateFingerprint: "sha256:%s"}
                """.formatted(FINGERPRINT, FINGERPRINT.replace(":", ""), FINGERPRINT.toLowerCase(), FINGERPRINT));
        assertEquals(4, problems.size(), problems.toString());
        assertProblem(problems, "phones[0].certificateFingerprint", "'AB:CD' is not a SHA-256 fingerprint");
        assertProblem(problems, "phones[2].certificateFingerprint", "the certificate is already pinned by device 'SEPB'");
        assertProblem(problems, "voicemailPorts[0].certificateFingerprint", "the certificate is already pinned by device 'SEPB'");
        assertProblem(problems, "voicemailPorts[1].certificateFingerprint", "is not a SHA-256 fingerprint");
        assertTrue(problems.get(0).toString().contains("64 hex digits"), problems.get(0).toString());
    }

    @Test
    void aPinOnANonSecureDeviceIsAWarningThatItIsNeverAskedFor() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(LISTENERS + PROFILES + """
                phones:
                  - {deviceName: SEP001122334455, securityProfile: Open phones, lines: ["2001"], certificateFingerprint: "%s"}
                """.formatted(FINGERPRINT), "model.yaml");
        assertEquals(1, config.warnings().size(), config.warnings().toString());
        assertTrue(config.warnings().get(0).contains("phones[0].certificateFingerprint")
                && config.warnings().get(0).contains("never asked for"), config.warnings().toString());
    }
}
