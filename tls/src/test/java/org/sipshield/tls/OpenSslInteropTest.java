package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The factory's server sockets against a real OpenSSL client. */
class OpenSslInteropTest {
    private static ServerIdentity rsaIdentity;

    @BeforeAll
    static void identity() throws Exception {
        rsaIdentity = SelfSignedCertificates.generate("sbc.test");
    }

    static TestTlsServer server(TlsPolicy policy, Set<TlsProtection> modes, ServerIdentity... identities) throws Exception {
        TlsSocketFactory factory = TlsSocketFactory.builder(policy.effective(CertificatePurpose.SIP, modes))
                .identity(identities)
                .peerVerifier(new PeerIdentityVerifier(new CertificateChainValidator(List::of, Clock.systemUTC())))
                .build();
        return new TestTlsServer(factory);
    }

    static TestTlsServer server(TlsPolicy policy) throws Exception {
        return server(policy, EnumSet.of(TlsProtection.ENCRYPTION), rsaIdentity);
    }

    @Test
    void serverPreferenceWinsOverTheClientsOrderInTls12() throws Exception {
        try (TestTlsServer server = server(TlsPolicy.defaults())) {
            OpenSslClient.Handshake handshake = OpenSslClient.connect(server.port(), "-tls1_2",
                    "-cipher", "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
            assertTrue(handshake.connected(), handshake.output());
            assertEquals("TLSv1.2", handshake.protocol());
            assertEquals("ECDHE-RSA-AES256-GCM-SHA384", handshake.cipher());
            TestTlsServer.Outcome outcome = server.next();
            assertEquals("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", outcome.session().getCipherSuite());
        }
    }

    @Test
    void tls13NegotiatesTheOptionsFirstSuiteWhateverTheClientPrefers() throws Exception {
        try (TestTlsServer server = server(TlsPolicy.defaults())) {
            OpenSslClient.Handshake handshake = OpenSslClient.connect(server.port(),
                    "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384");
            assertEquals("TLSv1.3", handshake.protocol(), handshake.output());
            assertEquals("TLS_AES_256_GCM_SHA384", handshake.cipher());
            assertEquals("TLSv1.3", server.next().session().getProtocol());
        }
    }

    @Test
    void aSuiteOutsideTheOptionIsRefused() throws Exception {
        TlsPolicy strongest = TlsPolicy.builder().tlsCiphers(TlsCiphersOption.STRONGEST_AES256_SHA384_RSA_PREFERRED).build();
        try (TestTlsServer server = server(strongest)) {
            OpenSslClient.Handshake handshake = OpenSslClient.connect(server.port(), "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA");
            assertFalse(handshake.connected(), handshake.output());
            assertFalse(server.next().succeeded());
            OpenSslClient.Handshake tls13 = OpenSslClient.connect(server.port(), "-ciphersuites", "TLS_AES_128_GCM_SHA256");
            assertFalse(tls13.connected(), tls13.output());
        }
    }

    @Test
    void theMinimumVersionSettingAdmitsOrRefusesTls11() throws Exception {
        String[] tls11 = {"-tls1_1", "-cipher", "AES128-SHA:@SECLEVEL=0"};
        try (TestTlsServer server = server(TlsPolicy.defaults())) {
            assertFalse(OpenSslClient.connect(server.port(), tls11).connected());
        }
        try (TestTlsServer server = server(TlsPolicy.of("1.0", null, null, null, null, null))) {
            OpenSslClient.Handshake handshake = OpenSslClient.connect(server.port(), tls11);
            assertTrue(handshake.connected(), handshake.output());
            assertEquals("TLSv1.1", handshake.protocol());
            assertEquals("AES128-SHA", handshake.cipher());
        }
        // Only BCJSSE saw TLSv1.1 lifted: the JVM's setting is back for everyone else.
        String jvm = java.security.Security.getProperty("jdk.tls.disabledAlgorithms");
        assertTrue(jvm.contains("TLSv1.1") && jvm.contains("NULL"), jvm);
    }

    @Test
    void authenticatedModeNegotiatesNullShaAndEncryptedModeRefusesIt() throws Exception {
        String[] nullSha = {"-tls1_2", "-cipher", "NULL-SHA:@SECLEVEL=0"};
        try (TestTlsServer server = server(TlsPolicy.defaults(), EnumSet.of(TlsProtection.INTEGRITY), rsaIdentity)) {
            OpenSslClient.Handshake handshake = OpenSslClient.connect(server.port(), nullSha);
            assertTrue(handshake.connected(), handshake.output());
            assertEquals("NULL-SHA", handshake.cipher());
            String suite = server.next().session().getCipherSuite();
            assertFalse(TlsPolicy.suiteProvides(suite, TlsProtection.ENCRYPTION));
            assertTrue(TlsPolicy.suiteProvides(suite, TlsProtection.INTEGRITY));
        }
        try (TestTlsServer server = server(TlsPolicy.defaults())) {
            assertFalse(OpenSslClient.connect(server.port(), nullSha).connected());
        }
        try (TestTlsServer server = server(TlsPolicy.defaults(), EnumSet.allOf(TlsProtection.class), rsaIdentity)) {
            OpenSslClient.Handshake both = OpenSslClient.connect(server.port(), "-tls1_2", "-cipher", "NULL-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0");
            assertEquals("ECDHE-RSA-AES128-GCM-SHA256", both.cipher(), "an encrypting suite wins on a shared listener");
        }
    }

    @Test
    void curvesFollowTheClientsPreferenceAmongTheReferencesCurves() throws Exception {
        try (TestTlsServer server = server(TlsPolicy.defaults())) {
            OpenSslClient.Handshake p521 = OpenSslClient.connect(server.port(), "-tls1_2", "-curves", "P-521:P-384:P-256");
            assertTrue(p521.serverTempKey().contains("secp521r1"), p521.output());
            OpenSslClient.Handshake p256 = OpenSslClient.connect(server.port(), "-tls1_2", "-curves", "P-256:P-521");
            assertTrue(p256.serverTempKey().contains("prime256v1"), p256.output());
            OpenSslClient.Handshake x25519 = OpenSslClient.connect(server.port(), "-tls1_2", "-curves", "X25519",
                    "-cipher", "ECDHE-RSA-AES256-GCM-SHA384");
            assertFalse(x25519.connected(), "X25519 is not one of the reference's curves: " + x25519.output());
        }
    }

    @Test
    void anEcdsaCertificateNeedsItsOwnCurveOfferedInTls12() throws Exception {
        TestPki pki = new TestPki("Curve CA", null);
        ServerIdentity p384 = pki.issue("ecdsa.test", TestPki.ec("secp384r1"), Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(30));
        TlsPolicy ecdsa = TlsPolicy.builder().tlsCiphers(TlsCiphersOption.STRONGEST_AES256_SHA384_ECDSA_PREFERRED).build();
        try (TestTlsServer server = server(ecdsa, EnumSet.of(TlsProtection.ENCRYPTION), p384, rsaIdentity)) {
            OpenSslClient.Handshake offered = OpenSslClient.connect(server.port(), "-tls1_2", "-curves", "P-521:P-384:P-256");
            assertEquals("ECDHE-ECDSA-AES256-GCM-SHA384", offered.cipher(), offered.output());
            assertTrue(offered.serverTempKey().contains("secp521r1"), offered.output());

            OpenSslClient.Handshake notOffered = OpenSslClient.connect(server.port(), "-tls1_2", "-curves", "P-521:P-256",
                    "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384");
            assertFalse(notOffered.connected(), notOffered.output());
        }
    }

    @Test
    void aCipherStringReplacesTheOptionOnTheWire() throws Exception {
        TlsPolicy policy = TlsPolicy.builder().tls13Enabled(false).sipTls("kRSA+AES256:!SHA1").build();
        try (TestTlsServer server = server(policy)) {
            OpenSslClient.Handshake handshake = OpenSslClient.connect(server.port(), "-cipher", "ALL");
            assertEquals("AES256-GCM-SHA384", handshake.cipher(), handshake.output());
            assertNull(handshake.serverTempKey(), "static RSA key exchange has no temporary key");
        }
    }

    @Test
    void anUnboundServerSocketBoundLaterAsJainSipDoesIsConfiguredToo() throws Exception {
        TlsSocketFactory factory = TlsSocketFactory.builder(TlsPolicy.defaults().effective(CertificatePurpose.SIP))
                .identity(rsaIdentity)
                .peerVerifier(new PeerIdentityVerifier(new CertificateChainValidator(List::of, Clock.systemUTC())))
                .build();
        try (javax.net.ssl.SSLServerSocket socket = factory.createUnboundServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 5);
            assertEquals(List.of(factory.settings().cipherSuiteNames()), List.of(socket.getEnabledCipherSuites()));
            Thread acceptor = new Thread(() -> {
                try (javax.net.ssl.SSLSocket accepted = (javax.net.ssl.SSLSocket) socket.accept()) {
                    accepted.startHandshake();
                    accepted.getOutputStream().write('x');
                    accepted.getInputStream().read();
                } catch (java.io.IOException ignored) {
                    // The assertions are on the client's side.
                }
            });
            acceptor.start();
            OpenSslClient.Handshake handshake = OpenSslClient.connect(socket.getLocalPort(), "-tls1_2", "-curves", "X25519:P-384");
            assertTrue(handshake.serverTempKey().contains("secp384r1"), "the accepted socket got the reference's curves: "
                    + handshake.output());
            acceptor.join(10_000);
        }
    }
}
