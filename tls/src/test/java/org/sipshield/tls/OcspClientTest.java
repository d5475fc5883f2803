package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.testing.MutableClock;

/** OCSP against OpenSSL's responder (see {@link TestOcspResponder}) and a test CA made with Bouncy Castle. */
class OcspClientTest {
    @TempDir
    Path dir;

    @Test
    void goodRevokedAndUnknownFromTheResponderTheCertificateNames() throws Exception {
        int port = ExternalProcess.freePort();
        TestPki ca = new TestPki("OCSP CA", "http://127.0.0.1:" + port + "/");
        try (TestOcspResponder responder = new TestOcspResponder(dir.resolve("ocsp"), port, ca)) {
            X509Certificate good = ca.issue("good.example.net").certificate();
            X509Certificate revoked = ca.issue("revoked.example.net").certificate();
            X509Certificate unknown = ca.issue("unknown.example.net").certificate();
            responder.good(good);
            responder.revoked(revoked);

            OcspClient client = new OcspClient(OcspSettings.fromCertificate(Duration.ofMinutes(10), false));
            OcspResult goodResult = client.check(good, ca.caCertificate);
            assertEquals(OcspResult.Status.GOOD, goodResult.status(), goodResult.detail());
            OcspResult revokedResult = client.check(revoked, ca.caCertificate);
            assertEquals(OcspResult.Status.REVOKED, revokedResult.status(), revokedResult.detail());
            assertTrue(revokedResult.detail().contains("reason 1"), revokedResult.detail());
            OcspResult unknownResult = client.check(unknown, ca.caCertificate);
            assertEquals(OcspResult.Status.UNKNOWN, unknownResult.status());
            assertTrue(unknownResult.detail().contains("does not know"), unknownResult.detail());
        }
    }

    @Test
    void revokedRefusesAndUnknownRefusesOnlyInStrictMode() throws Exception {
        int port = ExternalProcess.freePort();
        TestPki ca = new TestPki("Strict CA", null);
        try (TestOcspResponder responder = new TestOcspResponder(dir.resolve("ocsp"), port, ca)) {
            ServerIdentity revoked = ca.issue("revoked.example.net", "revoked.example.net");
            ServerIdentity unknown = ca.issue("unknown.example.net", "unknown.example.net");
            responder.revoked(revoked.certificate());
            URI uri = URI.create(responder.url());
            CertificateChainValidator chains = new CertificateChainValidator(() -> List.of(ca.caCertificate), Clock.systemUTC());
            PeerIdentityVerifier lenient = new PeerIdentityVerifier(chains, new OcspClient(OcspSettings.configured(uri, Duration.ofMinutes(5), false)));
            PeerIdentityVerifier strict = new PeerIdentityVerifier(chains, new OcspClient(OcspSettings.configured(uri, Duration.ofMinutes(5), true)));

            PeerVerdict revokedVerdict = lenient.verify(revoked.chain(), AllowedPeerNames.of("revoked.example.net"));
            assertEquals(PeerVerdict.Reason.REVOKED, ((PeerVerdict.Rejected) revokedVerdict).reason());
            assertTrue(lenient.verify(unknown.chain(), AllowedPeerNames.of("unknown.example.net")).accepted());
            PeerVerdict strictVerdict = strict.verify(unknown.chain(), AllowedPeerNames.of("unknown.example.net"));
            assertEquals(PeerVerdict.Reason.REVOCATION_UNKNOWN, ((PeerVerdict.Rejected) strictVerdict).reason());
        }
    }

    @Test
    void aRevokedClientCertificateIsRefusedInTheTlsHandshake() throws Exception {
        int port = ExternalProcess.freePort();
        TestPki ca = new TestPki("Handshake OCSP CA", "http://127.0.0.1:" + port + "/");
        try (TestOcspResponder responder = new TestOcspResponder(dir.resolve("ocsp"), port, ca)) {
            ServerIdentity good = ca.issue("trunk-good.example.net", "trunk-good.example.net");
            ServerIdentity revoked = ca.issue("trunk-revoked.example.net", "trunk-revoked.example.net");
            responder.good(good.certificate());
            responder.revoked(revoked.certificate());
            TrustStore trust = new TrustStore(dir.resolve("data"), CertificatePurpose.SIP);
            trust.add(ca.caCertificate.getEncoded());
            List<String> rejections = new CopyOnWriteArrayList<>();
            TlsSocketFactory factory = TlsSocketFactory.builder(TlsPolicy.defaults().effective(CertificatePurpose.SIP))
                    .identity(SelfSignedCertificates.generate("sbc.example.net"))
                    .peerVerifier(new PeerIdentityVerifier(CertificateChainValidator.of(trust),
                            new OcspClient(OcspSettings.fromCertificate(Duration.ofMinutes(5), false))))
                    .clientAuth(ClientAuth.NEED)
                    .onRejectedPeer((source, verdict) -> rejections.add(verdict.securityEvent(source)))
                    .build();
            try (TestTlsServer server = new TestTlsServer(factory)) {
                OpenSslClient.connect(server.port(), clientCertificate(good, "good"));
                assertTrue(server.next().succeeded());
                OpenSslClient.connect(server.port(), clientCertificate(revoked, "revoked"));
                assertFalse(server.next().succeeded());
                assertEquals(1, rejections.size(), rejections.toString());
                assertTrue(rejections.get(0).contains("reason=revoked subject=\"CN=trunk-revoked.example.net\""), rejections.get(0));
            }
        }
    }

    @Test
    void aRevokedCertificateIsRefusedOnUploadToATrustStore() throws Exception {
        int port = ExternalProcess.freePort();
        TestPki ca = new TestPki("Upload CA", "http://127.0.0.1:" + port + "/");
        try (TestOcspResponder responder = new TestOcspResponder(dir.resolve("ocsp"), port, ca)) {
            X509Certificate good = ca.issue("pbx-good.example.net").certificate();
            X509Certificate revoked = ca.issue("pbx-revoked.example.net").certificate();
            responder.good(good);
            responder.revoked(revoked);
            TrustStore store = new TrustStore(dir.resolve("data"), CertificatePurpose.SIP);
            OcspClient ocsp = new OcspClient(OcspSettings.fromCertificate(Duration.ofMinutes(5), false));
            store.add(ca.caCertificate.getEncoded(), ocsp);
            store.add(good.getEncoded(), ocsp);
            java.security.GeneralSecurityException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.security.GeneralSecurityException.class, () -> store.add(revoked.getEncoded(), ocsp));
            assertTrue(refused.getMessage().contains("OCSP REVOKED"), refused.getMessage());
            assertEquals(2, store.list().size());
        }
    }

    private String[] clientCertificate(ServerIdentity identity, String name) throws Exception {
        Path cert = TestPki.writePem(dir.resolve(name + ".crt"), identity.chain().toArray());
        Path key = TestPki.writePem(dir.resolve(name + ".key"), identity.privateKey());
        return new String[] {"-cert", cert.toString(), "-key", key.toString()};
    }

    @Test
    void answersAreReusedForTheIntervalAndAnUnreachableResponderIsUnknown() throws Exception {
        int port = ExternalProcess.freePort();
        TestPki ca = new TestPki("Cache CA", "http://127.0.0.1:" + port + "/");
        X509Certificate good = ca.issue("cached.example.net").certificate();
        MutableClock clock = new MutableClock(Instant.now());
        OcspClient client = new OcspClient(OcspSettings.fromCertificate(Duration.ofMinutes(30), true), clock);
        try (TestOcspResponder responder = new TestOcspResponder(dir.resolve("ocsp"), port, ca)) {
            responder.good(good);
            assertEquals(OcspResult.Status.GOOD, client.check(good, ca.caCertificate).status());
            assertEquals(OcspResult.Status.GOOD, client.check(good, ca.caCertificate).status());
            assertEquals(1, responder.requests.get(), "the second check within the interval uses the cached answer");
        }
        clock.advance(Duration.ofMinutes(31));
        OcspResult down = client.check(good, ca.caCertificate);
        assertEquals(OcspResult.Status.UNKNOWN, down.status());
        assertTrue(down.detail().contains("unreachable"), down.detail());
        assertTrue(client.strict());

        TestPki noAia = new TestPki("No AIA CA", null);
        OcspResult none = new OcspClient(OcspSettings.fromCertificate(Duration.ofMinutes(1), false))
                .check(noAia.issue("x").certificate(), noAia.caCertificate);
        assertTrue(none.detail().contains("names no OCSP responder"), none.detail());
    }

    @Test
    void anAnswerSignedBySomeoneElseIsNotBelieved() throws Exception {
        int port = ExternalProcess.freePort();
        TestPki realCa = new TestPki("Real CA", null);
        TestPki otherCa = new TestPki("Other CA", null);
        X509Certificate certificate = realCa.issue("victim.example.net").certificate();
        // The responder signs with another CA's key: its "good" must not count.
        try (TestOcspResponder impostor = new TestOcspResponder(dir.resolve("impostor"), port, otherCa)) {
            OcspResult result = new OcspClient(OcspSettings.configured(URI.create(impostor.url()), Duration.ofMinutes(1), false))
                    .check(certificate, realCa.caCertificate);
            assertEquals(OcspResult.Status.UNKNOWN, result.status());
            assertTrue(result.detail().contains("not signed by the issuer") || result.detail().contains("does not know")
                    || result.detail().contains("HTTP 500"), result.detail());
        }
        byte[] unused = "".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, unused.length);
    }
}
