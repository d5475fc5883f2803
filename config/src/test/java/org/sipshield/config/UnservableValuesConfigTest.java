package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.config.SecurityModelConfigTest.LISTENERS;
import static org.sipshield.config.SecurityModelConfigTest.assertProblem;
import static org.sipshield.config.SecurityModelConfigTest.problems;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Values the proxy would accept at load and then fail to serve are refused by the loader, with
 * their path and reason, all in one pass; values it does serve still load.
 */
class UnservableValuesConfigTest {

    @Test
    void aTlsTrunkProfileWithoutCertificateNamesIsRefusedForEveryMode() {
        List<ConfigProblem> problems = problems("""
                sipTrunkSecurityProfiles:
                  - {name: encrypted, deviceSecurityMode: Encrypted}
                  - {name: authenticated, deviceSecurityMode: Authenticated, secureCertificateSubjectOrSubjectAlternateName: " ,; "}
                  - {name: plain}
                """);
        assertProblem(problems, "sipTrunkSecurityProfiles[0].secureCertificateSubjectOrSubjectAlternateName",
                "a TLS trunk is recognised only by the names in its peer's certificate");
        assertProblem(problems, "sipTrunkSecurityProfiles[1].secureCertificateSubjectOrSubjectAlternateName", "is empty");
        assertEquals(2, problems.size(), problems.toString());
    }

    @Test
    void aWildcardCertificateNameIsRefusedSinceNamesMatchExactly() {
        List<ConfigProblem> problems = problems("""
                sipTrunkSecurityProfiles:
                  - {name: carrier, deviceSecurityMode: Encrypted, secureCertificateSubjectOrSubjectAlternateName: "*.carrier.example sbc.carrier.example"}
                """);
        assertProblem(problems, "sipTrunkSecurityProfiles[0].secureCertificateSubjectOrSubjectAlternateName",
                "'*.carrier.example' is a wildcard, but certificate names are matched exactly");
        assertEquals(1, problems.size(), problems.toString());
    }

    @Test
    void anOcspResponderIsPlainHttpWithAHostAndNoUserInformation() {
        for (String responder : List.of("https://ocsp.example/", "ldap://ocsp.example/", "ocsp.example:80", "http:///path",
                "http://user:secret@ocsp.example/")) {
            List<ConfigProblem> problems = problems("tls: {ocsp: {enabled: true, responder: \"" + responder + "\"}}\n");
            assertEquals(1, problems.size(), responder + ": " + problems);
            assertEquals("tls.ocsp.responder", problems.get(0).path());
            assertTrue(!problems.get(0).toString().contains("secret"), "a password in a URL is not repeated: " + problems);
        }
        assertProblem(problems("tls: {ocsp: {responder: \"https://ocsp.example/\"}}\n"), "tls.ocsp.responder",
                "OCSP is asked over plain http");
    }

    @Test
    void servableUrlsStillLoad() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(LISTENERS + """
                tls:
                  ocsp: {enabled: true, responder: "HTTP://127.0.0.1:8888/ocsp?x=1"}
                  certificateMonitor: {webhook: "https://hooks.example/expiry"}
                sipTrunkSecurityProfiles:
                  - {name: carrier, deviceSecurityMode: Encrypted, secureCertificateSubjectOrSubjectAlternateName: sbc.carrier.example}
                """, "model.yaml");
        assertEquals(URI.create("HTTP://127.0.0.1:8888/ocsp?x=1"), config.tls().ocspResponder());
        assertEquals(URI.create("https://hooks.example/expiry"), config.tls().expiryWebhook());
    }

    @Test
    void everyUnservableValueIsListedAtOnce() {
        List<ConfigProblem> problems = problems("""
                tls:
                  ocsp: {responder: "https://ocsp.example/"}
                  certificateMonitor: {webhook: "ftp://hooks.example/"}
                sipTrunkSecurityProfiles:
                  - {name: encrypted, deviceSecurityMode: Encrypted}
                """);
        assertProblem(problems, "tls.ocsp.responder", "is not an http URL");
        assertProblem(problems, "tls.certificateMonitor.webhook", "is not an http/https URL");
        assertProblem(problems, "sipTrunkSecurityProfiles[0].secureCertificateSubjectOrSubjectAlternateName", "is empty");
        assertEquals(3, problems.size(), problems.toString());
    }

    @Test
    void aCipherStringThatLeavesAnInterfaceNoSuiteIsRefusedAtItsKeyOnce() {
        List<ConfigProblem> sipOnly = problems("""
                tls:
                  tls13: false
                  cipherManagement: {sipTls: "TLS_AES_128_GCM_SHA256", httpsTls: "ECDHE-RSA-AES128-GCM-SHA256"}
                """);
        assertProblem(sipOnly, "tls.cipherManagement.sipTls", "leaves no cipher suite for TLS 1.2 and newer (TLS 1.3 is switched off");
        assertEquals(1, sipOnly.size(), sipOnly.toString());
        List<ConfigProblem> both = problems("tls: {tls13: false, cipherManagement: {allTls: \"TLSv1.3\"}}\n");
        assertProblem(both, "tls.cipherManagement.allTls", "leaves no cipher suite");
        assertEquals(1, both.size(), "SIP and HTTPS fail for the same key: one line, " + both);
    }
}
