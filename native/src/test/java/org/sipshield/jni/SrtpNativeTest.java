package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SrtpNativeTest {
    @Test
    void versionNamesOpenSslAndLibsrtp2() {
        String version = SrtpNative.version();
        System.out.println("native core: " + version);
        assertTrue(version.startsWith("sipshield-srtp "), version);
        assertTrue(version.contains("OpenSSL 3"), version);
        assertTrue(version.contains("libsrtp2"), version);
    }
}
