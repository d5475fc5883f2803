package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.cli.Main;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;
import org.sipshield.proxy.peers.TlsSipPeer;

/**
 * TLS settings and certificates (regenerated, or CA-signed and imported) applied to a running
 * proxy without a restart: openssl s_client handshakes before and
 * after show what new connections get, while a connection made earlier (a JSSE client) keeps the
 * session it made and keeps being answered. And the SIP listener serving its RSA and ECDSA
 * identities side by side, each to the clients whose suites it can sign; and OCSP turned on and off
 * for the next client certificate.
 */
class LiveTlsReloadTest {
    @TempDir
    Path dataDirectory;

    private static final String TLS = """
            tls:
              tls13: %s
              cipherManagement:
                sipTls: "%s"
            """;

    @Test
    void aNewCipherPreferenceAndVersionReachTheNextHandshakeWhileAnEarlierConnectionKeepsItsOwn() throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory,
                TLS.formatted(true, "TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"))) {
            String before = sipHandshake(proxy, "-tls1_2");
            assertTrue(before.contains("Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256"), before);
            assertTrue(sipHandshake(proxy, "-tls1_3").contains("SIP/2.0 200"), "TLS 1.3 is on at first");
            try (TlsSipPeer earlier = new TlsSipPeer("127.0.0.1", proxy.tlsPort, null)) {
                String earlierSuite = earlier.cipherSuite();

                proxy.reload(TLS.formatted(false, "TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"));

                String after = sipHandshake(proxy, "-tls1_2");
                assertTrue(after.contains("Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384"), after);
                String tls13 = sipHandshake(proxy, "-tls1_3");
                assertFalse(tls13.contains("SIP/2.0"), "TLS 1.3 was turned off by the reload:\n" + tls13);
                earlier.send(OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort));
                String answer = earlier.receiveFinal();
                assertTrue(answer.startsWith("SIP/2.0 200"), answer);
                assertEquals(earlierSuite, earlier.cipherSuite(), "the earlier connection keeps its session");
            }
        }
    }

    @Test
    void regeneratedCertificatesAreServedToNewConnectionsOfSipAndHttpsWhileEarlierOnesKeepTheirs() throws Exception {
        int managementPort = FreePorts.udpAndTcp();
        try (RunningProxy proxy = new RunningProxy(dataDirectory, "management: {port: " + managementPort + "}\n")) {
            assertTrue(sipHandshake(proxy).contains("CN = 127.0.0.1"));
            assertTrue(httpsHandshake(managementPort).contains("CN = 127.0.0.1"));
            try (TlsSipPeer earlierSip = new TlsSipPeer("127.0.0.1", proxy.tlsPort, null);
                    TlsSipPeer earlierHttps = new TlsSipPeer("127.0.0.1", managementPort, null)) {
                X509Certificate oldSip = earlierSip.peerCertificate();
                X509Certificate oldHttps = earlierHttps.peerCertificate();

                // the operator's commands, in another process as far as the proxy knows: no reload follows
                certs("regenerate", "sip", "--host", "sip-next.example.test");
                certs("regenerate", "https", "--host", "admin-next.example.test");

                String sip = awaitHandshake(() -> sipHandshake(proxy), "CN = sip-next.example.test");
                assertTrue(sip.contains("SIP/2.0 200"), sip);
                awaitHandshake(() -> httpsHandshake(managementPort), "CN = admin-next.example.test");

                earlierSip.send(OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort));
                String answer = earlierSip.receiveFinal();
                assertTrue(answer.startsWith("SIP/2.0 200"), answer);
                assertEquals(oldSip, earlierSip.peerCertificate());
                earlierHttps.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                String live = earlierHttps.receive();
                assertTrue(live.startsWith("HTTP/1.1 200"), live);
                assertEquals(oldHttps, earlierHttps.peerCertificate());
            }
            // a reload keeps serving what the files hold
            proxy.reload("management: {port: " + managementPort + "}\n");
            assertTrue(sipHandshake(proxy).contains("CN = sip-next.example.test"));
        }
    }

    @Test
    void rsaAndEcdsaIdentitiesAreServedSideBySideByTheClientsSuitesAndTheTlsCiphersOption() throws Exception {
        certs("regenerate", "sip-ecdsa", "--host", "ecdsa.example.test");
        String ecdsaPreferred = "tls: {tlsCiphers: all-ciphers-ecdsa-preferred}\n";
        try (RunningProxy proxy = new RunningProxy(dataDirectory, ecdsaPreferred)) {
            String ecdsaOnly = sipHandshake(proxy, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256");
            assertTrue(ecdsaOnly.contains("CN = ecdsa.example.test"), ecdsaOnly);
            assertTrue(ecdsaOnly.contains("Signature type: ECDSA"), ecdsaOnly);
            assertTrue(ecdsaOnly.contains("SIP/2.0 200"), ecdsaOnly);

            String rsaOnly = sipHandshake(proxy, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
            assertTrue(rsaOnly.contains("CN = 127.0.0.1"), rsaOnly);
            assertFalse(rsaOnly.contains("Signature type: ECDSA"), rsaOnly);
            assertTrue(rsaOnly.contains("SIP/2.0 200"), rsaOnly);

            String both = sipHandshake(proxy, "-tls1_2");
            assertTrue(both.contains("Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384") && both.contains("CN = ecdsa.example.test"),
                    "ECDSA preferred, the client offering both:\n" + both);

            proxy.reload("tls: {tlsCiphers: all-ciphers-rsa-preferred}\n");
            String rsaPreferred = sipHandshake(proxy, "-tls1_2");
            assertTrue(rsaPreferred.contains("Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384") && rsaPreferred.contains("CN = 127.0.0.1"),
                    "RSA preferred after the reload:\n" + rsaPreferred);

            // TLS 1.3 suites name no key type: the client's signature algorithms choose
            String ecdsa13 = sipHandshake(proxy, "-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256");
            assertTrue(ecdsa13.contains("CN = ecdsa.example.test") && ecdsa13.contains("SIP/2.0 200"), ecdsa13);
            // rsa_pkcs1_sha256 for the self-signed certificate's own signature, never used in a TLS 1.3 handshake
            String rsa13 = sipHandshake(proxy, "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256:rsa_pkcs1_sha256");
            assertTrue(rsa13.contains("CN = 127.0.0.1") && rsa13.contains("SIP/2.0 200"), rsa13);
        }
    }

    @Test
    void aCaSignedEcdsaCertificateImportedIntoARunningProxyIsServedToEcdsaClients(@TempDir Path pki) throws Exception {
        String ecdsaSuites = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256";
        try (RunningProxy proxy = new RunningProxy(dataDirectory, "")) {
            String none = sipHandshake(proxy, "-tls1_2", "-cipher", ecdsaSuites);
            assertFalse(none.contains("SIP/2.0"), "no EC identity yet: a client of ECDSA suites only gets no handshake\n" + none);

            Path csr = pki.resolve("sip-ecdsa.csr");
            Path signed = pki.resolve("sip-ecdsa.pem");
            certs("csr", "sip-ecdsa", "--cn", "ecdsa-ca.example.test", "--out", csr.toString());
            new TestCertificates(pki).sign(csr, signed);
            certs("import", "sip-ecdsa", signed.toString());

            String served = awaitHandshake(() -> sipHandshake(proxy, "-tls1_2", "-cipher", ecdsaSuites),
                    "CN = ecdsa-ca.example.test");
            assertTrue(served.contains("SIP/2.0 200"), served);
            String rsa = sipHandshake(proxy, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384");
            assertTrue(rsa.contains("CN = 127.0.0.1") && rsa.contains("SIP/2.0 200"), "the RSA identity stays:\n" + rsa);
        }
    }

    @Test
    void ocspTurnedOnByAReloadChecksTheNextClientCertificate(@TempDir Path pki) throws Exception {
        TestCertificates ca = new TestCertificates(pki);
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(ca.caCertificate()));
        Path[] phone = ca.issue("phone-ocsp", true, "phone.example.test");
        try (RunningProxy proxy = new RunningProxy(dataDirectory, "")) {
            assertTrue(optionsWithCertificate(proxy, phone).startsWith("SIP/2.0 200"), "OCSP off: the chain is enough");

            // strict OCSP at a responder nobody answers: no certificate can be shown unrevoked
            int silentResponder = FreePorts.udpAndTcp();
            proxy.reload("tls: {ocsp: {enabled: true, responder: \"http://127.0.0.1:" + silentResponder
                    + "/\", strict: true}}\n");
            try (SecurityLog log = new SecurityLog()) {
                String refused = optionsWithCertificate(proxy, phone);
                assertFalse(refused.startsWith("SIP/2.0"), "strict OCSP without an answer refuses the handshake: " + refused);
                assertEquals(1, log.lines("tls-peer-rejected src=127.0.0.1:").stream()
                        .filter(line -> line.contains("reason=revocation-status-unknown")).count(), log.lines("").toString());
            }

            proxy.reload("tls: {ocsp: {enabled: false}}\n");
            assertTrue(optionsWithCertificate(proxy, phone).startsWith("SIP/2.0 200"), "OCSP off again");
        }
    }

    /** A new TLS connection presenting this client certificate, one OPTIONS on it; what came back, or why nothing did. */
    private static String optionsWithCertificate(RunningProxy proxy, Path[] certificate) {
        // under TLS 1.3 the client finishes its side before the server has judged its certificate:
        // a refusal shows as an alert or a closed connection at the first read
        try (TlsSipPeer peer = new TlsSipPeer("127.0.0.1", proxy.tlsPort, certificate)) {
            peer.send(OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort));
            return peer.receiveFinal();
        } catch (Exception e) {
            return "(refused: " + e + ")";
        }
    }

    private static String sipHandshake(RunningProxy proxy, String... options) {
        return OpenSslClient.exchange("127.0.0.1", proxy.tlsPort, OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort),
                options);
    }

    private static String httpsHandshake(int port) {
        return OpenSslClient.exchange("127.0.0.1", port, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    /** New handshakes until one shows expected (the proxy looks at its files every few seconds); bounded. */
    private static String awaitHandshake(java.util.function.Supplier<String> handshake, String expected)
            throws InterruptedException {
        String last = "";
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            last = handshake.get();
            if (last.contains(expected)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no new handshake showed " + expected + "; the last:\n" + last);
    }

    private void certs(String... command) {
        StringWriter out = new StringWriter();
        String[] args = new String[command.length + 3];
        args[0] = "certs";
        args[1] = "--data-dir";
        args[2] = dataDirectory.toString();
        System.arraycopy(command, 0, args, 3, command.length);
        int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out)).execute(args);
        assertEquals(0, exit, out.toString());
    }
}
