package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {
    @TempDir
    Path dataDir;

    private static TestPki ca;

    @BeforeAll
    static void ca() throws Exception {
        ca = new TestPki("Trust Test CA", null);
    }

    private static byte[] pem(X509Certificate... certificates) {
        return CertificateFiles.toPem(List.of(certificates)).getBytes(StandardCharsets.US_ASCII);
    }

    private static X509Certificate peer(String name, Instant notBefore) throws Exception {
        return ca.certify(new X500Name("CN=" + name), TestPki.rsa(2048).getPublic(), notBefore, Duration.ofDays(400));
    }

    @Test
    void ofTwoCertificatesWithTheSameSubjectTheOneWithTheLaterValidityStartStays() throws Exception {
        TrustStore store = new TrustStore(dataDir, CertificatePurpose.SIP);
        assertEquals("sip-trust", store.name());
        Instant now = Instant.now();
        X509Certificate older = peer("trunk.example.net", now.minus(Duration.ofDays(20)));
        X509Certificate newer = peer("trunk.example.net", now.minus(Duration.ofDays(2)));

        assertEquals(TrustStore.AddResult.Outcome.ADDED, store.add(pem(older)).get(0).outcome());
        assertEquals(TrustStore.AddResult.Outcome.ALREADY_PRESENT, store.add(older.getEncoded()).get(0).outcome());
        TrustStore.AddResult replaced = store.add(newer.getEncoded()).get(0);
        assertEquals(TrustStore.AddResult.Outcome.REPLACED, replaced.outcome());
        assertEquals(List.of(newer), store.certificates());

        TrustStore.AddResult kept = store.add(pem(older)).get(0);
        assertEquals(TrustStore.AddResult.Outcome.KEPT_EXISTING, kept.outcome());
        assertTrue(kept.detail().contains("later"), kept.detail());
        assertEquals(List.of(newer), store.certificates());
        assertTrue(dataDir.resolve("trust/sip").resolve(replaced.id() + ".pem").toFile().isFile());
    }

    @Test
    void aPemChainAddsEachAndStoresArePerPurpose() throws Exception {
        TrustStore sip = new TrustStore(dataDir, CertificatePurpose.SIP);
        X509Certificate peer = peer("pbx.example.net", Instant.now().minus(Duration.ofDays(1)));
        List<TrustStore.AddResult> results = sip.add(pem(peer, ca.caCertificate));
        assertEquals(2, results.size());
        assertEquals(2, sip.list().size());
        assertTrue(new TrustStore(dataDir, CertificatePurpose.HTTPS).list().isEmpty());
        assertEquals("https-trust", new TrustStore(dataDir, CertificatePurpose.HTTPS).name());
    }

    @Test
    void keysLargerThan4096BitsAndCertificatesNotValidNowAreRefused() throws Exception {
        TrustStore store = new TrustStore(dataDir, CertificatePurpose.HTTPS);
        X509Certificate big = ca.certify(new X500Name("CN=big"), TestPki.rsa(4160).getPublic(),
                Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(10));
        GeneralSecurityException tooBig = assertThrows(GeneralSecurityException.class, () -> store.add(pem(big)));
        assertTrue(tooBig.getMessage().contains("4160-bit key is larger than the 4096-bit maximum"), tooBig.getMessage());

        X509Certificate expired = peer("old.example.net", Instant.now().minus(Duration.ofDays(500)));
        GeneralSecurityException notValid = assertThrows(GeneralSecurityException.class, () -> store.add(pem(expired)));
        assertTrue(notValid.getMessage().contains("not valid now"), notValid.getMessage());

        X509Certificate fine = peer("fine.example.net", Instant.now().minus(Duration.ofDays(1)));
        assertThrows(GeneralSecurityException.class, () -> store.add(pem(fine, expired)));
        assertTrue(store.list().isEmpty(), "a refused upload changes nothing");
        assertThrows(GeneralSecurityException.class, () -> store.add("garbage".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void deleteByIdOrFingerprintPrefix() throws Exception {
        TrustStore store = new TrustStore(dataDir, CertificatePurpose.SIP);
        X509Certificate a = peer("a.example.net", Instant.now().minus(Duration.ofDays(1)));
        X509Certificate b = peer("b.example.net", Instant.now().minus(Duration.ofDays(1)));
        String idA = store.add(pem(a)).get(0).id();
        store.add(pem(b));
        assertTrue(idA.startsWith("a.example.net_"), idA);
        assertTrue(store.delete(idA));
        assertFalse(store.delete(idA));
        String fingerprint = CertificateDetails.fingerprint(b, "SHA-256");
        assertTrue(store.delete(fingerprint.substring(0, 23)));
        assertTrue(store.list().isEmpty());
        assertFalse(store.delete("../../etc/passwd"), "only stored ids are ever turned into paths");
    }
}
