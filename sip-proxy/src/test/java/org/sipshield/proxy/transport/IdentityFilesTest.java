package org.sipshield.proxy.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.IdentityStore;
import org.sipshield.tls.SelfSignedCertificates;

/** A change of the identity files is reported once, and only once two looks agree (a pair is two renames). */
class IdentityFilesTest {
    @TempDir
    Path dataDirectory;

    @Test
    void aChangeIsReportedOnceWhenItHasSettled() throws Exception {
        IdentityStore store = new IdentityStore(dataDirectory);
        store.store(CertificatePurpose.SIP, SelfSignedCertificates.generate("first.example.test"));
        IdentityFiles files = new IdentityFiles(dataDirectory);
        assertFalse(files.changed(), "nothing changed since construction");

        store.store(CertificatePurpose.SIP, SelfSignedCertificates.generate("second.example.test"));
        assertFalse(files.changed(), "first look at the change: it may be half written");
        assertTrue(files.changed(), "second look agrees: serve it");
        assertFalse(files.changed(), "reported once");

        store.store(CertificatePurpose.HTTPS, SelfSignedCertificates.generate("admin.example.test"));
        assertFalse(files.changed());
        store.store(CertificatePurpose.SIP_ECDSA, SelfSignedCertificates.generate("ecdsa.example.test"));
        assertFalse(files.changed(), "still changing");
        assertTrue(files.changed());
    }
}
