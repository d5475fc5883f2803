package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS with a real openssl peer: chain to the SIP trust store, then the trunk profile's names. */
class PeerIdentityTest {
    @TempDir
    Path dir;

    private static TestPki trunkCa;
    private static ServerIdentity proxyIdentity;

    @BeforeAll
    static void pki() throws Exception {
        trunkCa = new TestPki("Trunk CA", null);
        proxyIdentity = SelfSignedCertificates.generate("sbc.example.net");
    }

    private record Server(TestTlsServer server, List<String> rejections) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    private Server mutualTlsServer(ClientAuth clientAuth) throws Exception {
        return mutualTlsServer(clientAuth, certificate -> false);
    }

    private Server mutualTlsServer(ClientAuth clientAuth, java.util.function.Predicate<java.security.cert.X509Certificate> pinned)
            throws Exception {
        TrustStore trust = new TrustStore(dir.resolve("data"), CertificatePurpose.SIP);
        trust.add(CertificateFiles.toPem(List.of(trunkCa.caCertificate)).getBytes(StandardCharsets.US_ASCII));
        List<String> rejections = new CopyOnWriteArrayList<>();
        TlsSocketFactory factory = TlsSocketFactory.builder(TlsPolicy.defaults().effective(CertificatePurpose.SIP))
                .identity(proxyIdentity)
                .peerVerifier(new PeerIdentityVerifier(CertificateChainValidator.of(trust)))
                .acceptedIssuers(trust.certificates())
                .clientAuth(clientAuth)
                .onRejectedPeer((source, verdict) -> rejections.add(verdict.securityEvent(source)))
                .pinnedCertificates(pinned)
                .build();
        return new Server(new TestTlsServer(factory), rejections);
    }

    private String[] clientCertificate(ServerIdentity identity, String name) throws Exception {
        Path cert = TestPki.writePem(dir.resolve(name + ".crt"), identity.chain().toArray());
        Path key = TestPki.writePem(dir.resolve(name + ".key"), identity.privateKey());
        return new String[] {"-cert", cert.toString(), "-key", key.toString()};
    }

    @Test
    void aTrunkWhoseSanIsInTheProfileGetsThroughAndAnotherIsRejectedWithASecurityEvent() throws Exception {
        AllowedPeerNames profile = AllowedPeerNames.parse("my_cm1, trunk-a.example.net;my_cm2");
        try (Server server = mutualTlsServer(ClientAuth.NEED)) {
            ServerIdentity trunkA = trunkCa.issue("trunk-a-host", "TRUNK-A.example.net");
            assertTrue(OpenSslClient.connect(server.server().port(), clientCertificate(trunkA, "a")).connected());
            TestTlsServer.Outcome a = server.server().next();
            PeerVerdict accepted = server.server().factory.peerVerifier().verify(a.peerChain(), profile);
            assertInstanceOf(PeerVerdict.Accepted.class, accepted, accepted.toString());
            assertEquals("TRUNK-A.example.net", ((PeerVerdict.Accepted) accepted).matchedName());

            ServerIdentity rogue = trunkCa.issue("rogue", "rogue.example.net");
            assertTrue(OpenSslClient.connect(server.server().port(), clientCertificate(rogue, "rogue")).connected(),
                    "the chain is trusted; the name is the profile's business");
            PeerVerdict rejected = server.server().factory.peerVerifier().verify(server.server().next().peerChain(), profile);
            assertFalse(rejected.accepted());
            assertEquals(PeerVerdict.Reason.NAME_NOT_ALLOWED, ((PeerVerdict.Rejected) rejected).reason());
            String line = rejected.securityEvent("127.0.0.1:40000");
            assertTrue(line.startsWith("SECURITY tls-peer-rejected src=127.0.0.1:40000 reason=name-not-allowed subject=\"CN=rogue\""), line);
            assertTrue(line.contains("rogue.example.net"), line);
        }
    }

    @Test
    void theSubjectCnCountsAsANameToo() throws Exception {
        ServerIdentity byCn = trunkCa.issue("my_cm2");
        PeerVerdict verdict = new PeerIdentityVerifier(new CertificateChainValidator(
                () -> List.of(trunkCa.caCertificate), java.time.Clock.systemUTC()))
                .verify(byCn.chain(), AllowedPeerNames.parse("my_cm1:my_cm2"));
        assertTrue(verdict.accepted(), verdict.toString());
    }

    @Test
    void aClientFromAnotherCaOrWithoutCertificateIsRefusedInTheHandshake() throws Exception {
        try (Server server = mutualTlsServer(ClientAuth.NEED)) {
            ServerIdentity stranger = new TestPki("Stranger CA", null).issue("trunk-a.example.net", "trunk-a.example.net");
            OpenSslClient.connect(server.server().port(), clientCertificate(stranger, "s"));
            assertFalse(server.server().next().succeeded());
            assertEquals(1, server.rejections().size());
            String line = server.rejections().get(0);
            assertTrue(line.matches("SECURITY tls-peer-rejected src=127\\.0\\.0\\.1:\\d+ reason=untrusted-chain subject=\"CN=trunk-a.example.net\".*"), line);

            // The client sends its last flight before the server's refusal arrives: ask the server.
            OpenSslClient.connect(server.server().port());
            assertFalse(server.server().next().succeeded(), "NEED refuses a client without certificate");
            OpenSslClient.connect(server.server().port(), "-tls1_2");
            assertFalse(server.server().next().succeeded());
        }
        try (Server server = mutualTlsServer(ClientAuth.WANT)) {
            assertTrue(OpenSslClient.connect(server.server().port()).connected(), "WANT lets it in");
            PeerVerdict verdict = server.server().factory.peerVerifier()
                    .verify(server.server().next().peerChain(), AllowedPeerNames.of("trunk-a.example.net"));
            assertEquals(PeerVerdict.Reason.NO_CERTIFICATE, ((PeerVerdict.Rejected) verdict).reason());
        }
    }

    @Test
    void aPinnedCertificatePassesTheHandshakeWithoutTheTrustStoreAndNoOtherDoes() throws Exception {
        ServerIdentity pinnedPhone = SelfSignedCertificates.generate("SEP001122334455");
        ServerIdentity otherPhone = SelfSignedCertificates.generate("SEP001122334455");
        CertificateFingerprint pin = CertificateFingerprint.of(pinnedPhone.chain().get(0));
        try (Server server = mutualTlsServer(ClientAuth.WANT, certificate -> CertificateFingerprint.of(certificate).equals(pin))) {
            assertTrue(OpenSslClient.connect(server.server().port(), clientCertificate(pinnedPhone, "pinned")).connected());
            TestTlsServer.Outcome pinned = server.server().next();
            assertTrue(pinned.succeeded(), String.valueOf(pinned.failure()));
            assertEquals(pin, CertificateFingerprint.of(pinned.peerChain().get(0)));
            // It passed by its pin, not by the trust store: whoever names a peer by its names must still ask the store.
            assertFalse(server.server().factory.peerVerifier().verifyTrust(pinned.peerChain()).accepted());

            OpenSslClient.connect(server.server().port(), clientCertificate(otherPhone, "other"));
            assertFalse(server.server().next().succeeded(), "same name, another key: pinned by nobody");
            assertTrue(server.rejections().get(0).contains("reason=untrusted-chain"), server.rejections().toString());
        }
    }

    @Test
    void fingerprintsAreTheCertificatesSha256HoweverTheyAreWritten() throws Exception {
        ServerIdentity phone = SelfSignedCertificates.generate("SEP001122334455");
        CertificateFingerprint fingerprint = CertificateFingerprint.of(phone.chain().get(0));
        String colons = CertificateDetails.fingerprint(phone.chain().get(0), "SHA-256");
        assertEquals(colons, fingerprint.toString());
        assertEquals(java.util.Optional.of(fingerprint), CertificateFingerprint.parse(colons.toLowerCase(java.util.Locale.ROOT)));
        assertEquals(java.util.Optional.of(fingerprint), CertificateFingerprint.parse(" " + colons.replace(":", "") + " "));
        for (String bad : new String[] {"", "ab", colons.substring(3), colons + ":00", colons.replace(':', '-'),
                "g".repeat(64), colons.replaceFirst(":", "")}) {
            assertTrue(CertificateFingerprint.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void outboundTlsVerifiesTheTrunkServerTheSameWay() throws Exception {
        ServerIdentity trunkServer = trunkCa.issue("trunk-b.example.net", "trunk-b.example.net");
        TlsSocketFactory trunkSide = TlsSocketFactory.builder(TlsPolicy.defaults().effective(CertificatePurpose.SIP))
                .identity(trunkServer)
                .peerVerifier(new PeerIdentityVerifier(new CertificateChainValidator(List::of, java.time.Clock.systemUTC())))
                .build();
        TrustStore trust = new TrustStore(dir.resolve("client"), CertificatePurpose.SIP);
        trust.add(trunkCa.caCertificate.getEncoded());
        TlsSocketFactory proxySide = TlsSocketFactory.forInterface(TlsPolicy.defaults(), CertificatePurpose.SIP,
                EnumSet.of(TlsProtection.ENCRYPTION), proxyIdentity, trust, null, ClientAuth.NONE);
        try (TestTlsServer trunk = new TestTlsServer(trunkSide)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", trunk.port());
            try (SSLSocket socket = proxySide.connect(address, AllowedPeerNames.of("trunk-b.example.net"), Duration.ofSeconds(10))) {
                assertEquals("TLS_AES_256_GCM_SHA384", socket.getSession().getCipherSuite());
            }
            assertTrue(trunk.next().succeeded());
            PeerRejectedException wrongName = assertThrows(PeerRejectedException.class,
                    () -> proxySide.connect(address, AllowedPeerNames.of("trunk-c.example.net"), Duration.ofSeconds(10)));
            assertEquals(PeerVerdict.Reason.NAME_NOT_ALLOWED, ((PeerVerdict.Rejected) wrongName.verdict()).reason());
        }
    }

    @Test
    void trustStoreChangesApplyWithinTheRecheckTimeWithoutRebuildingTheFactory() throws Exception {
        TrustStore trust = new TrustStore(dir.resolve("live"), CertificatePurpose.SIP);
        CertificateChainValidator validator = CertificateChainValidator.of(trust);
        ServerIdentity trunk = trunkCa.issue("trunk-a.example.net");
        assertInstanceOf(CertificateChainValidator.Result.Invalid.class, validator.validate(trunk.chain()));
        String id = trust.add(trunkCa.caCertificate.getEncoded()).get(0).id();
        assertInstanceOf(CertificateChainValidator.Result.Valid.class, awaitResult(validator, trunk,
                CertificateChainValidator.Result.Valid.class));
        trust.delete(id);
        assertInstanceOf(CertificateChainValidator.Result.Invalid.class, awaitResult(validator, trunk,
                CertificateChainValidator.Result.Invalid.class));
    }

    /** Validates until the result is of the wanted kind or a generous bound (ten times the re-check time) passes. */
    private static CertificateChainValidator.Result awaitResult(CertificateChainValidator validator, ServerIdentity peer,
            Class<? extends CertificateChainValidator.Result> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(
                10L * CertificateChainValidator.TRUST_STORE_RECHECK_SECONDS);
        CertificateChainValidator.Result result = validator.validate(peer.chain());
        while (!wanted.isInstance(result) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            result = validator.validate(peer.chain());
        }
        return result;
    }

    @Test
    void allowedNamesFollowTheReferencesFieldRules() {
        AllowedPeerNames names = AllowedPeerNames.parse(" a.example.net,b.example.net;c:D.EXAMPLE.NET  e ");
        assertEquals(5, names.names().size());
        assertTrue(names.allows("d.example.net"));
        assertTrue(names.allows("A.Example.Net"));
        assertFalse(names.allows("example.net"));
        assertFalse(names.allows("*.example.net"));
        assertThrows(IllegalArgumentException.class, () -> AllowedPeerNames.parse(" ,; "));
        assertThrows(IllegalArgumentException.class, () -> AllowedPeerNames.parse("x".repeat(4097)));
        assertEquals(1, AllowedPeerNames.parse("x".repeat(4096)).names().size());
    }
}
