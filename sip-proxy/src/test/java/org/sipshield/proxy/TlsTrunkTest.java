package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.cli.Main;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * TLS trunks identified by their certificates, against the real proxy with openssl s_client:
 * a certificate from the SIP trust store whose SAN the trunk profile lists gets through, one
 * with another name is an unknown source, an untrusted one never completes the handshake; the
 * operator's TLS Ciphers choice is what the listener prefers; and a CA-signed identity made from
 * the proxy's own CSR is what it serves.
 */
class TlsTrunkTest {
    @TempDir
    static Path dataDirectory;

    @TempDir
    static Path pki;

    static TestCertificates certificates;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        certificates = new TestCertificates(pki);
        // The operator's way: CSR from the proxy, signed by the CA, imported, trust store filled.
        Path csr = pki.resolve("proxy.csr");
        assertEquals(0, Main.commandLine().execute("certs", "--data-dir", dataDirectory.toString(), "csr", "sip",
                "--cn", "127.0.0.1", "--out", csr.toString()));
        certificates.sign(csr, pki.resolve("proxy.pem"));
        assertEquals(0, Main.commandLine().execute("certs", "--data-dir", dataDirectory.toString(), "import", "sip",
                pki.resolve("proxy.pem").toString()));
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));

        proxy = new RunningProxy(dataDirectory, """
                tls:
                  tlsCiphers: strongest-aes256-sha384-rsa-preferred
                sipTrunkSecurityProfiles:
                  - name: Encrypted carrier
                    deviceSecurityMode: Encrypted
                    incomingPort: ${tlsPort}
                    secureCertificateSubjectOrSubjectAlternateName: "sbc1.carrier.example, sbc2.carrier.example"
                sipTrunks:
                  - {name: carrier, securityProfile: Encrypted carrier, destinations: ["192.0.2.10:5061"]}
                """);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static String messageFrom(Path[] certificate, String... options) {
        String request = "MESSAGE sip:4444@127.0.0.1:" + proxy.tlsPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-tls-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:carrier@127.0.0.1>;tag=tls1\r\n"
                + "To: <sip:4444@127.0.0.1>\r\n"
                + "Call-ID: tls-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 MESSAGE\r\n"
                + "Content-Length: 0\r\n\r\n";
        String[] all = new String[options.length + 4];
        all[0] = "-cert";
        all[1] = certificate[0].toString();
        all[2] = "-key";
        all[3] = certificate[1].toString();
        System.arraycopy(options, 0, all, 4, options.length);
        return OpenSslClient.exchange("127.0.0.1", proxy.tlsPort, request, all);
    }

    @Test
    void aTrustedCertificateWithAListedNameIsTheTrunk() {
        String reply = messageFrom(certificates.issue("sbc2.carrier.example", true, "sbc2.carrier.example"));
        // recognised as trunk 'carrier' and routed: 4444 matches no route pattern
        assertTrue(reply.contains("SIP/2.0 404"), reply);
    }

    @Test
    void aTrustedCertificateWithAnotherNameIsAnUnknownSource() {
        String reply = messageFrom(certificates.issue("intruder.example", true, "intruder.example"));
        assertTrue(reply.contains("SIP/2.0 403"), reply);
    }

    @Test
    void anUntrustedCertificateNeverGetsAnAnswer() {
        String reply = messageFrom(certificates.issue("sbc1.carrier.example", false, "sbc1.carrier.example"));
        assertFalse(reply.contains("SIP/2.0"), reply);
    }

    @Test
    void theListenerServesTheCaSignedIdentityAndPrefersTheOperatorsCiphers() {
        String reply = OpenSslClient.exchange("127.0.0.1", proxy.tlsPort,
                OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort),
                "-CAfile", certificates.caCertificate().toString(), "-verify_return_error", "-tls1_2",
                "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
        assertTrue(reply.contains("Verification: OK"), reply);
        assertTrue(reply.contains("SIP/2.0 200 OK"), reply);
        // Strongest, RSA preferred: only AES-256 SHA-384 suites, the RSA one first (our key is RSA)
        assertTrue(reply.contains("Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384"), reply);
        String weak = OpenSslClient.exchange("127.0.0.1", proxy.tlsPort,
                OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort), "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
        assertFalse(weak.contains("SIP/2.0"), "a suite outside the option was accepted:\n" + weak);
    }
}
