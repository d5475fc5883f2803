package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityStoreTest {
    @TempDir
    Path dataDir;

    @Test
    void firstStartGeneratesRsa2048Sha256SelfSignedAndLaterStartsReuseIt() throws Exception {
        IdentityStore store = new IdentityStore(dataDir);
        ServerIdentity first = store.loadOrCreate(CertificatePurpose.SIP, "sbc.example.net");
        X509Certificate certificate = first.certificate();

        assertEquals("CN=sbc.example.net", certificate.getSubjectX500Principal().getName());
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        assertEquals("SHA256withRSA", certificate.getSigAlgName());
        assertEquals(2048, ((RSAPublicKey) certificate.getPublicKey()).getModulus().bitLength());
        certificate.verify(certificate.getPublicKey());
        assertTrue(certificate.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
        assertTrue(certificate.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.2"), "clientAuth");

        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(store.keyFile(CertificatePurpose.SIP))));

        ServerIdentity second = new IdentityStore(dataDir).loadOrCreate(CertificatePurpose.SIP, "other.host");
        assertEquals(certificate, second.certificate());
        assertEquals(first.privateKey(), second.privateKey());
    }

    @Test
    void toStringNeverShowsTheKey() throws Exception {
        ServerIdentity identity = SelfSignedCertificates.generate("127.0.0.1");
        String text = identity.toString();
        assertTrue(text.contains("CN=127.0.0.1"), text);
        assertTrue(text.contains("<redacted>"), text);
        assertFalse(text.contains("PRIVATE"), text);
        assertTrue(identity.certificate().getSubjectAlternativeNames().stream()
                .anyMatch(name -> name.get(0).equals(7)), "an IP address host gets an iPAddress SAN");
    }

    @Test
    void aFailedStoreLeavesNoCopyOfThePrivateKeyBehind() throws Exception {
        IdentityStore store = new IdentityStore(dataDir);
        // a non-empty directory where the key file goes: the final rename fails after the key is written
        Files.createDirectories(store.keyFile(CertificatePurpose.SIP).resolve("blocker"));
        ServerIdentity identity = SelfSignedCertificates.generate("127.0.0.1");
        assertThrows(java.io.IOException.class, () -> store.store(CertificatePurpose.SIP, identity));
        try (var files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(file).contains("PRIVATE KEY"), "a copy of the key left in " + file);
            }
        }
    }
}
