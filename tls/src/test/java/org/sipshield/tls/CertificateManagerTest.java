package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateManagerTest {
    @TempDir
    Path dataDir;

    @Test
    void regenerateEcP384ShowsKeySignatureAndFingerprintsAsOpenSslComputesThem() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        manager.regenerate(CertificatePurpose.HTTPS, "admin.example.net", List.of("10.0.0.5"), KeySpec.EC_P384,
                SignatureHash.SHA384, Duration.ofDays(30));
        CertificateDetails details = manager.show(CertificatePurpose.HTTPS).get(0);
        assertEquals("CN=admin.example.net", details.subject());
        assertEquals(details.subject(), details.issuer());
        assertEquals("EC P-384", details.keyDescription());
        assertEquals("SHA384WITHECDSA", details.signatureAlgorithm().toUpperCase());
        assertEquals(List.of("DNS:admin.example.net", "IP:10.0.0.5"), details.subjectAlternativeNames());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                manager.identityStore().keyFile(CertificatePurpose.HTTPS))));

        Path pem = Files.write(dataDir.resolve("export.pem"), manager.export(CertificatePurpose.HTTPS, CertificateManager.ExportFormat.PEM));
        String sha256 = ExternalProcess.run(List.of("openssl", "x509", "-in", pem.toString(), "-noout", "-fingerprint", "-sha256"), null, 20).output();
        String sha512 = ExternalProcess.run(List.of("openssl", "x509", "-in", pem.toString(), "-noout", "-fingerprint", "-sha512"), null, 20).output();
        assertEquals("sha256 Fingerprint=" + details.sha256Fingerprint(), sha256.trim());
        assertEquals("sha512 Fingerprint=" + details.sha512Fingerprint(), sha512.trim());
        String text = ExternalProcess.run(List.of("openssl", "x509", "-in", pem.toString(), "-noout", "-text"), null, 20).output();
        assertTrue(text.contains("Digital Signature, Key Encipherment, Data Encipherment"), text);
        assertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text);

        byte[] der = manager.export(CertificatePurpose.HTTPS, CertificateManager.ExportFormat.DER);
        assertArrayEquals(manager.identityStore().load(CertificatePurpose.HTTPS).certificate().getEncoded(), der);
        assertTrue(details.describe().contains("SHA-512 fingerprint: " + details.sha512Fingerprint()));
    }

    @Test
    void theHashMustBeAsStrongAsTheKey() {
        CertificateManager manager = new CertificateManager(dataDir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> manager.regenerate(
                CertificatePurpose.SIP, "sbc", List.of(), KeySpec.EC_P384, SignatureHash.SHA256, Duration.ofDays(1)));
        assertTrue(e.getMessage().contains("at least 384"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> manager.createCsr(CertificatePurpose.SIP, "sbc", List.of(),
                KeySpec.EC_P521, SignatureHash.SHA384));
        assertEquals(KeySpec.RSA_3072, KeySpec.fromName("rsa-3072"));
        assertEquals(SignatureHash.SHA512, SignatureHash.fromName("SHA-512"));
    }

    @Test
    void csrSignedByATestCaIsImportedAndServedToARealClient() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        ServerIdentity selfSigned = manager.identityStore().loadOrCreate(CertificatePurpose.SIP, "sbc.example.net");
        byte[] csrPem = manager.createCsr(CertificatePurpose.SIP, "sbc.example.net", List.of("sbc2.example.net"),
                KeySpec.RSA_3072, SignatureHash.SHA384);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                manager.pendingKeyFile(CertificatePurpose.SIP))));
        assertArrayEquals(csrPem, manager.pendingCsr(CertificatePurpose.SIP).orElseThrow());

        Path csrFile = Files.write(dataDir.resolve("request.csr"), csrPem);
        ExternalProcess.Result verified = ExternalProcess.run(List.of("openssl", "req", "-in", csrFile.toString(),
                "-noout", "-verify", "-text"), null, 20);
        assertTrue(verified.output().contains("verify OK") || verified.output().contains("Certificate request self-signature verify OK"),
                verified.output());
        assertTrue(verified.output().contains("DNS:sbc.example.net, DNS:sbc2.example.net"), verified.output());
        assertTrue(verified.output().contains("Digital Signature, Key Encipherment, Data Encipherment"), verified.output());
        assertTrue(verified.output().contains("TLS Web Server Authentication, TLS Web Client Authentication"), verified.output());
        PKCS10CertificationRequest csr = CertificateManager.readCsr(csrPem);
        assertEquals("CN=sbc.example.net", csr.getSubject().toString());

        // Until the import, the proxy keeps serving the self-signed identity.
        assertEquals(selfSigned.certificate(), manager.identityStore().load(CertificatePurpose.SIP).certificate());

        TestPki ca = new TestPki("Operator Root CA", null);
        X509Certificate signed = ca.signCsr(csrPem);
        byte[] chainPem = CertificateFiles.toPem(List.of(ca.caCertificate, signed)).getBytes(StandardCharsets.US_ASCII);
        ServerIdentity imported = manager.importCertificate(CertificatePurpose.SIP, chainPem, null);
        assertEquals(List.of(signed, ca.caCertificate), imported.chain(), "leaf first, whatever the upload order");
        assertTrue(manager.pendingCsr(CertificatePurpose.SIP).isEmpty());

        ServerIdentity served = manager.identityStore().loadOrCreate(CertificatePurpose.SIP, "ignored");
        assertEquals(signed, served.certificate());
        TlsSocketFactory factory = TlsSocketFactory.builder(TlsPolicy.defaults().effective(CertificatePurpose.SIP))
                .identity(served)
                .peerVerifier(new PeerIdentityVerifier(new CertificateChainValidator(List::of, java.time.Clock.systemUTC())))
                .build();
        Path caFile = TestPki.writePem(dataDir.resolve("ca.pem"), ca.caCertificate);
        try (TestTlsServer server = new TestTlsServer(factory)) {
            OpenSslClient.Handshake handshake = OpenSslClient.connect(server.port(), "-CAfile", caFile.toString(),
                    "-verify_return_error", "-verify_hostname", "sbc2.example.net");
            assertTrue(handshake.connected(), handshake.output());
            assertTrue(handshake.output().contains("Verify return code: 0 (ok)"), handshake.output());
            assertTrue(handshake.peerSubject().contains("CN = sbc.example.net"), handshake.output());
        }
    }

    @Test
    void aPkcs7ChainFromOpenSslIsImportedToo() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        byte[] csrPem = manager.createCsr(CertificatePurpose.HTTPS, "admin.example.net", List.of(), KeySpec.EC_P256, SignatureHash.SHA256);
        TestPki ca = new TestPki("PKCS7 CA", null);
        X509Certificate signed = ca.signCsr(csrPem);
        Path chain = TestPki.writePem(dataDir.resolve("chain.pem"), signed, ca.caCertificate);
        Path p7b = dataDir.resolve("chain.p7b");
        ExternalProcess.Result made = ExternalProcess.run(List.of("openssl", "crl2pkcs7", "-nocrl", "-certfile", chain.toString(),
                "-outform", "DER", "-out", p7b.toString()), null, 20);
        assertEquals(0, made.exitCode(), made.output());
        ServerIdentity imported = manager.importCertificate(CertificatePurpose.HTTPS, Files.readAllBytes(p7b), null);
        assertEquals(List.of(signed, ca.caCertificate), imported.chain());
    }

    @Test
    void anImportIsRefusedWithoutAPendingCsrOrForAnotherKey() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        TestPki ca = new TestPki("Other CA", null);
        ServerIdentity stranger = ca.issue("stranger.example.net");
        byte[] strangerPem = CertificateFiles.toPem(stranger.chain()).getBytes(StandardCharsets.US_ASCII);
        GeneralSecurityException none = assertThrows(GeneralSecurityException.class,
                () -> manager.importCertificate(CertificatePurpose.SIP, strangerPem, null));
        assertTrue(none.getMessage().contains("no CSR is pending"), none.getMessage());

        manager.createCsr(CertificatePurpose.SIP, "sbc.example.net", List.of(), KeySpec.RSA_2048, SignatureHash.SHA256);
        GeneralSecurityException wrongKey = assertThrows(GeneralSecurityException.class,
                () -> manager.importCertificate(CertificatePurpose.SIP, strangerPem, null));
        assertTrue(wrongKey.getMessage().contains("pending CSR's key"), wrongKey.getMessage());
        assertFalse(manager.identityStore().exists(CertificatePurpose.SIP));
        assertTrue(manager.pendingCsr(CertificatePurpose.SIP).isPresent(), "a refused import keeps the CSR pending");

        assertThrows(GeneralSecurityException.class,
                () -> manager.importCertificate(CertificatePurpose.SIP, "not a certificate".getBytes(StandardCharsets.US_ASCII), null));
    }

    @Test
    void deleteRemovesTheIdentitySoTheNextStartIsSelfSignedAgain() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        ServerIdentity first = manager.identityStore().loadOrCreate(CertificatePurpose.SIP, "sbc.example.net");
        assertTrue(manager.delete(CertificatePurpose.SIP));
        assertTrue(manager.show(CertificatePurpose.SIP).isEmpty());
        assertFalse(manager.delete(CertificatePurpose.SIP));
        ServerIdentity second = manager.identityStore().loadOrCreate(CertificatePurpose.SIP, "sbc.example.net");
        assertFalse(first.certificate().equals(second.certificate()));
    }

    @Test
    void anExpiredCertificateCannotBeImported() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        byte[] csrPem = manager.createCsr(CertificatePurpose.SIP, "sbc.example.net", List.of(), KeySpec.RSA_2048, SignatureHash.SHA256);
        TestPki ca = new TestPki("Old CA", null);
        PKCS10CertificationRequest csr = CertificateManager.readCsr(csrPem);
        X509Certificate expired = ca.certify(csr.getSubject(),
                new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr).setProvider(BouncyCastle.provider()).getPublicKey(),
                Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(5));
        assertThrows(java.security.cert.CertificateExpiredException.class, () -> manager.importCertificate(CertificatePurpose.SIP,
                CertificateFiles.toPem(List.of(expired)).getBytes(StandardCharsets.US_ASCII), null));
        assertEquals(EnumSet.of(CertificatePurpose.SIP, CertificatePurpose.SIP_ECDSA, CertificatePurpose.HTTPS),
                EnumSet.allOf(CertificatePurpose.class));
    }

    @Test
    void theSipEcdsaIdentityTakesOnlyAnEcKeyAndSharesTheSipTrustStore() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        GeneralSecurityException refused = assertThrows(GeneralSecurityException.class, () -> manager.regenerate(
                CertificatePurpose.SIP_ECDSA, "sbc.example.net", List.of(), KeySpec.RSA_2048, SignatureHash.SHA256,
                Duration.ofDays(30)));
        assertTrue(refused.getMessage().contains("needs an EC key"), refused.getMessage());
        assertThrows(GeneralSecurityException.class, () -> manager.createCsr(CertificatePurpose.SIP_ECDSA,
                "sbc.example.net", List.of(), KeySpec.RSA_2048, SignatureHash.SHA256));
        assertFalse(manager.identityStore().exists(CertificatePurpose.SIP_ECDSA));

        ServerIdentity ecdsa = manager.regenerate(CertificatePurpose.SIP_ECDSA, "sbc.example.net", List.of(),
                KeySpec.EC_P384, SignatureHash.SHA384, Duration.ofDays(30));
        assertEquals("EC", ecdsa.certificate().getPublicKey().getAlgorithm());
        assertTrue(manager.identityStore().certificateFile(CertificatePurpose.SIP_ECDSA).endsWith("sip-ecdsa.crt.pem"));
        // made on first use, as the RSA one is, the EC identity gets an EC key
        Path other = dataDir.resolve("other");
        assertEquals("EC", new IdentityStore(other).loadOrCreate(CertificatePurpose.SIP_ECDSA, "sbc.example.net")
                .certificate().getPublicKey().getAlgorithm());
        assertEquals(new TrustStore(dataDir, CertificatePurpose.SIP).directory(),
                new TrustStore(dataDir, CertificatePurpose.SIP_ECDSA).directory());
        assertEquals("sip-trust", new TrustStore(dataDir, CertificatePurpose.SIP_ECDSA).name());
    }
}
