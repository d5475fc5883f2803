package org.sipshield.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** check-config as an operator runs it: every problem with its line and path, or the effective TLS per version. */
class CheckConfigCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private Run check(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("sipshield.yaml"), yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new CheckConfigCommand());
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        int code = command.execute(file.toString());
        return new Run(code, out.toString(), err.toString());
    }

    private static final String LISTENERS = """
            listeners:
              - {transport: UDP, port: 5060}
              - {transport: TLS, port: 5061}
            """;

    @Test
    void aTlsTrunkProfileWithoutCertificateNamesIsRefusedWithTheOtherProblems() throws Exception {
        Run run = check(LISTENERS + """
                tls:
                  ocsp: {enabled: true, responder: "https://ocsp.example/"}
                sipTrunkSecurityProfiles:
                  - name: carrier tls
                    deviceSecurityMode: Encrypted
                sipTrunks:
                  - {name: carrier, securityProfile: carrier tls, destinations: ["192.0.2.10:5061"]}
                """);
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.err().contains("sipshield.yaml:7: sipTrunkSecurityProfiles[0].secureCertificateSubjectOrSubjectAlternateName:"
                + " is empty, but a TLS trunk is recognised only by the names in its peer's certificate"), run.err());
        assertTrue(run.err().contains("tls.ocsp.responder: 'https://ocsp.example/' is not an http URL"), run.err());
        assertTrue(run.err().contains("2 problems in"), run.err());
    }

    @Test
    void aDatabaseUrlWithAPasswordIsRefusedWithoutPrintingItAndWithTheOtherProblems() throws Exception {
        Run run = check(LISTENERS + """
                server: {nodeName: "node a"}
                database: {url: "jdbc:postgresql://db.example.net/sipshield?password=s3cr3t-db", passwordFile: ""}
                """);
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.err().contains("sipshield.yaml:4: server.nodeName: 'node a' is not a node name"), run.err());
        assertTrue(run.err().contains("database.url: the URL holds a password"), run.err());
        assertTrue(run.err().contains("database.passwordFile: is empty"), run.err());
        assertTrue(run.err().contains("3 problems in"), run.err());
        assertTrue(!run.err().contains("s3cr3t-db") && !run.out().contains("s3cr3t-db"), run.err() + run.out());
    }

    @Test
    void theEffectiveSuitesArePrintedPerProtocolVersionForEachInterface() throws Exception {
        Run run = check(LISTENERS + """
                tls:
                  cipherManagement: {sipTls: "ECDHE-RSA-AES128-GCM-SHA256:TLS_CHACHA20_POLY1305_SHA256"}
                """);
        assertEquals(0, run.exitCode(), run.err());
        String sip = run.out().substring(run.out().indexOf("effective SIP TLS"), run.out().indexOf("effective HTTPS TLS"));
        String https = run.out().substring(run.out().indexOf("effective HTTPS TLS"));
        assertTrue(sip.contains("protocols: TLSv1.2, TLSv1.3"), sip);
        assertTrue(sip.matches("(?s).*TLSv1\\.3 cipher suites, server preference order:\\R\\s+1\\. TLS_CHACHA20_POLY1305_SHA256\\s+"
                + "TLS_CHACHA20_POLY1305_SHA256\\R\\s+TLSv1\\.2 cipher suites.*"), sip);
        assertTrue(sip.matches("(?s).*TLSv1\\.2 cipher suites, server preference order:\\R\\s+1\\. "
                + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\\s+ECDHE-RSA-AES128-GCM-SHA256\\R\\s+named groups.*"), sip);
        // HTTPS has no string of its own and no all-tls: the TLS Ciphers option, all three TLS 1.3 suites.
        assertTrue(https.matches("(?s).*TLSv1\\.3 cipher suites, server preference order:\\R\\s+1\\. TLS_AES_256_GCM_SHA384.*"
                + "3\\. TLS_CHACHA20_POLY1305_SHA256.*TLSv1\\.2 cipher suites.*"), https);
    }

    @Test
    void aStringWithoutTls13SuitesSaysTls13IsOff() throws Exception {
        Run run = check(LISTENERS + "tls: {cipherManagement: {allTls: \"ECDHE-RSA-AES256-GCM-SHA384\"}}\n");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(2, run.out().split("TLSv1\\.3: off \\(no TLS 1\\.3 cipher suite selected\\)", -1).length - 1, run.out());
    }

    @Test
    void f8BesideAGcmOnlyCipherPolicyIsRefusedWithItsReasonAndTheOtherProblems() throws Exception {
        Run run = check(LISTENERS + """
                media:
                  srtpCiphers: STRONGEST
                  enableF8Cipher: true
                sipTrunks:
                  - {name: carrier, securityProfile: nowhere, destinations: ["192.0.2.10:5060"], assertedIdentity: maybe}
                """);
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.err().contains("media.enableF8Cipher: srtpCiphers STRONGEST allows AEAD GCM suites only"), run.err());
        assertTrue(run.err().contains("sipTrunks[0].assertedIdentity"), run.err());
    }
}
