package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The periodic OCSP check of a trust store, against OpenSSL's responder. */
class TrustStoreRevocationCheckTest {
    @TempDir
    Path dir;

    @Test
    void certificatesWithTheirIssuerInTheStoreAreCheckedAndRootsSkipped() throws Exception {
        int port = ExternalProcess.freePort();
        TestPki ca = new TestPki("Trust OCSP CA", "http://127.0.0.1:" + port + "/");
        try (TestOcspResponder responder = new TestOcspResponder(dir.resolve("ocsp"), port, ca)) {
            X509Certificate good = ca.issue("peer-good.example.net").certificate();
            X509Certificate revoked = ca.issue("peer-revoked.example.net").certificate();
            responder.good(good);
            responder.revoked(revoked);
            TrustStore store = new TrustStore(dir.resolve("data"), CertificatePurpose.SIP);
            store.add(ca.caCertificate.getEncoded());
            store.add(good.getEncoded());
            store.add(revoked.getEncoded());

            Map<X509Certificate, OcspResult> results = new TrustStoreRevocationCheck(store,
                    new OcspClient(OcspSettings.fromCertificate(Duration.ofMinutes(10), false))).runOnce();

            assertEquals(2, results.size(), results.toString());
            assertEquals(OcspResult.Status.GOOD, results.get(good).status(), results.toString());
            assertEquals(OcspResult.Status.REVOKED, results.get(revoked).status(), results.toString());
        }
    }
}
