package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference's rules for profiles, trunks, users and devices, each refused with its key path. */
class SecurityModelConfigTest {
    static final String MD5 = "0123456789abcdef0123456789abcdef";
    static final String LISTENERS = """
            listeners:
              - {transport: UDP, port: 5060}
              - {transport: TCP, port: 5060}
              - {transport: TLS, port: 5061}
            """;

    static List<ConfigProblem> problems(String yaml) {
        try {
            ConfigLoader.parse(LISTENERS + yaml, "model.yaml");
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    static void assertProblem(List<ConfigProblem> problems, String path, String text) {
        assertTrue(problems.stream().anyMatch(p -> p.path().equals(path) && p.problem().contains(text)),
                "expected " + path + ": " + text + " in\n" + problems);
    }

    @Test
    void aCompleteModelLoadsWithTheReferenceDefaults() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(LISTENERS + """
                sipTrunkSecurityProfiles:
                  - name: Non Secure SIP Trunk Profile
                  - name: Secure trunk
                    deviceSecurityMode: Encrypted
                    secureCertificateSubjectOrSubjectAlternateName: "sbc1.carrier.net, sbc2.carrier.net;sbc3:sbc4 sbc5"
                sipTrunks:
                  - {name: carrier, securityProfile: Secure trunk, destinations: ["192.0.2.10:5061", "[2001:db8::1]"], srtpAllowed: true}
                phoneSecurityProfiles:
                  - {name: Standard SIP Non-Secure Profile, enableDigestAuthentication: true}
                endUsers:
                  - {userId: alice, digestCredentials: {MD5: %s}}
                phones:
                  - {deviceName: SEP001122334455, securityProfile: Standard SIP Non-Secure Profile, digestUser: alice, lines: ["2001", "2002"]}
                """.formatted(MD5), "model.yaml");
        SipTrunkSecurityProfile plain = config.trunkProfile("Non Secure SIP Trunk Profile").orElseThrow();
        assertEquals(DeviceSecurityMode.NON_SECURE, plain.deviceSecurityMode());
        assertEquals(TransportType.TCP_UDP, plain.incomingTransportType());
        assertEquals(TransportType.TCP, plain.outgoingTransportType());
        assertEquals(600, plain.nonceValidityTime());
        assertEquals(5060, plain.incomingPort());
        assertFalse(plain.acceptPresenceSubscription() || plain.acceptOutOfDialogRefer()
                || plain.acceptUnsolicitedNotification() || plain.acceptReplacesHeader() || plain.transmitSecurityStatus());
        SipTrunkSecurityProfile secure = config.trunkProfile("Secure trunk").orElseThrow();
        assertEquals(TransportType.TLS, secure.incomingTransportType());
        assertEquals(5061, secure.incomingPort());
        assertEquals(List.of("sbc1.carrier.net", "sbc2.carrier.net", "sbc3", "sbc4", "sbc5"),
                secure.secureCertificateSubjectOrSubjectAlternateName());
        assertEquals(List.of(new Destination("192.0.2.10", 5061), new Destination("2001:db8::1", 5060)),
                config.trunk("carrier").orElseThrow().destinations());
        assertEquals("ccmsipline", config.enterpriseParameters().sipStationRealm());
        assertEquals("StandAloneCluster", config.enterpriseParameters().clusterId());
        assertEquals("ccmsipline", config.endUser("alice").orElseThrow().digestCredentials().realm());
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void applicationLevelAuthorizationWithoutDigestIsAnErrorNamingTheKey() {
        List<ConfigProblem> problems = problems("""
                sipTrunkSecurityProfiles:
                  - name: apps
                    enableApplicationLevelAuthorization: true
                """);
        assertProblem(problems, "sipTrunkSecurityProfiles[0].enableApplicationLevelAuthorization",
                "needs enableDigestAuthentication: true");
    }

    @Test
    void secureModesNeedTlsAndNonSecureCannotUseIt() {
        List<ConfigProblem> problems = problems("""
                sipTrunkSecurityProfiles:
                  - {name: a, deviceSecurityMode: Authenticated, incomingTransportType: TCP+UDP, outgoingTransportType: TCP}
                  - {name: b, deviceSecurityMode: Non Secure, outgoingTransportType: TLS}
                phoneSecurityProfiles:
                  - {name: c, deviceSecurityMode: Encrypted, transportType: UDP}
                """);
        assertProblem(problems, "sipTrunkSecurityProfiles[0].deviceSecurityMode", "Authenticated needs TLS");
        assertProblem(problems, "sipTrunkSecurityProfiles[1].deviceSecurityMode", "Non Secure trunks use TCP or UDP");
        assertProblem(problems, "phoneSecurityProfiles[0].transportType", "Encrypted phones use TLS");
    }

    @Test
    void portsAndCertificateNamesThatClashAreRefused() {
        List<ConfigProblem> problems = problems("""
                sipTrunkSecurityProfiles:
                  - {name: tls-a, deviceSecurityMode: Encrypted, incomingPort: 5060, secureCertificateSubjectOrSubjectAlternateName: "my_cm1 my_cm2"}
                  - {name: plain, incomingPort: 5060}
                  - {name: tls-b, deviceSecurityMode: Encrypted, incomingPort: 5061, secureCertificateSubjectOrSubjectAlternateName: my_cm2}
                  - {name: tls-c, deviceSecurityMode: Encrypted, incomingPort: 5061, secureCertificateSubjectOrSubjectAlternateName: MY_CM2}
                  - {name: nowhere, incomingPort: 5999}
                sipTrunks:
                  - {name: t1, securityProfile: tls-a, destinations: ["192.0.2.1"]}
                  - {name: t2, securityProfile: plain, destinations: ["192.0.2.2"]}
                  - {name: t3, securityProfile: tls-b, destinations: ["192.0.2.3"]}
                  - {name: t4, securityProfile: tls-c, destinations: ["192.0.2.4"]}
                  - {name: t5, securityProfile: nowhere, destinations: ["192.0.2.5"]}
                """);
        assertProblem(problems, "sipTrunks[1].securityProfile", "TLS and non-TLS trunks cannot share incoming port 5060");
        assertProblem(problems, "sipTrunks[3].securityProfile", "certificate name 'MY_CM2' on port 5061 is already the name of trunk 't3'");
        assertProblem(problems, "sipTrunks[4].securityProfile", "no listener serves it");
        assertProblem(problems, "sipTrunks[0].securityProfile", "no listener serves it");
    }

    @Test
    void referencesMustResolveAndAProfileInUseCannotBeRemoved() {
        List<ConfigProblem> problems = problems("""
                sipTrunks:
                  - {name: carrier, securityProfile: Gone Profile, destinations: ["192.0.2.1"]}
                routePatterns:
                  - {pattern: "9!", trunk: nobody}
                phoneSecurityProfiles:
                  - {name: digest, enableDigestAuthentication: true}
                phones:
                  - {deviceName: SEP1, securityProfile: digest, lines: ["2001"]}
                  - {deviceName: SEP2, securityProfile: digest, digestUser: ghost, lines: ["2001"]}
                """);
        assertProblem(problems, "sipTrunks[0].securityProfile", "(a profile in use cannot be removed)");
        assertProblem(problems, "routePatterns[0].trunk", "no SIP trunk is named 'nobody'");
        assertProblem(problems, "phones[0].digestUser", "enables digest authentication, so the device needs a digest user");
        assertProblem(problems, "phones[1].digestUser", "no end user is named 'ghost'");
        assertProblem(problems, "phones[1].lines", "directory number 2001 is already another device's");
    }

    @Test
    void voicemailPortsShareTheirServersModeAndMatchTheirProfile() {
        List<ConfigProblem> problems = problems("""
                phoneSecurityProfiles:
                  - {name: vm-plain}
                  - {name: vm-secure, deviceSecurityMode: Encrypted}
                voicemailPorts:
                  - {deviceName: VM-1, voicemailServer: cuc1, securityProfile: vm-plain, deviceSecurityMode: Non Secure, directoryNumber: "8001"}
                  - {deviceName: VM-2, voicemailServer: cuc1, securityProfile: vm-secure, deviceSecurityMode: Encrypted, directoryNumber: "8002"}
                  - {deviceName: VM-3, voicemailServer: cuc2, securityProfile: vm-plain, deviceSecurityMode: Encrypted, directoryNumber: "8003"}
                """);
        assertProblem(problems, "voicemailPorts[1].deviceSecurityMode", "ports of voicemail server 'cuc1' must share one mode");
        assertProblem(problems, "voicemailPorts[2].deviceSecurityMode", "Encrypted differs from profile 'vm-plain'");
    }

    @Test
    void descriptionsNamesAndChecksumsFollowTheReferenceAndSecretsAreNeverEchoed() {
        String leakedLooking = "SECRETSECRETSECRETSECRETSECRET12";
        List<ConfigProblem> problems = problems("""
                sipTrunkSecurityProfiles:
                  - {name: a, description: "A description that is far too long to be accepted by anyone at all"}
                  - {name: b, description: "Tom & Jerry <trunk>"}
                endUsers:
                  - {userId: bob, digestCredentials: {MD5: %s}}
                  - {userId: "bad user", digestCredentials: {MD5: %s}}
                """.formatted(leakedLooking, MD5));
        assertProblem(problems, "sipTrunkSecurityProfiles[0].description", "characters long");
        assertProblem(problems, "sipTrunkSecurityProfiles[1].description", "contains one of");
        assertProblem(problems, "endUsers[0].digestCredentials.MD5", "is not an HA1 for MD5");
        assertProblem(problems, "endUsers[1].userId", "cannot be a SIP user");
        assertFalse(problems.toString().contains(leakedLooking), problems.toString());
    }

    @Test
    void srtpAllowedWithoutEncryptedTlsIsAWarningNotAnError() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(LISTENERS + """
                sipTrunkSecurityProfiles:
                  - {name: plain}
                sipTrunks:
                  - {name: carrier, securityProfile: plain, destinations: ["192.0.2.1:5060"], srtpAllowed: true}
                """, "model.yaml");
        assertEquals(1, config.warnings().size());
        assertTrue(config.warnings().get(0).contains("SRTP keys will cross the network in clear text"), config.warnings().toString());
    }

    @Test
    void tlsSettingsAreValidatedAndABadCipherStringShowsTheStringAndTheProblem() throws Exception {
        SipShieldConfig defaults = ConfigLoader.parse(LISTENERS, "model.yaml");
        assertTrue(defaults.tls().policy().authenticatedModeAvailable());
        assertFalse(defaults.tls().ocspEnabled());

        List<ConfigProblem> problems = problems("""
                tls:
                  minimumVersion: "1.3"
                  tlsCiphers: weakest
                  cipherManagement: {sipTls: "HIGH:AES128_SHA"}
                  ocsp: {enabled: true, responder: "ftp://x"}
                """);
        assertProblem(problems, "tls.minimumVersion", "'1.3' is not a minimum TLS version");
        assertProblem(problems, "tls.tlsCiphers", "'weakest' is not a TLS Ciphers option");
        assertProblem(problems, "tls.cipherManagement.sipTls", "invalid cipher string 'HIGH:AES128_SHA'");
        assertProblem(problems, "tls.ocsp.responder", "is not an http URL");

        SipShieldConfig revoked = ConfigLoader.parse(LISTENERS + """
                tls:
                  tlsCiphers: strongest-aes256-sha384-ecdsa-preferred
                  cipherManagement: {allTls: "ECDHE+AESGCM"}
                sipTrunkSecurityProfiles:
                  - {name: integrity only, deviceSecurityMode: Authenticated, secureCertificateSubjectOrSubjectAlternateName: sbc.example}
                """, "model.yaml");
        assertFalse(revoked.tls().policy().authenticatedModeAvailable());
        assertTrue(revoked.warnings().get(0).contains("revokes the NULL-SHA ciphers"), revoked.warnings().toString());
    }
}
