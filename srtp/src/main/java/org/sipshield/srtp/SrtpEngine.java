package org.sipshield.srtp;

/** Which implementation runs a session. All produce byte-identical packets. */
public enum SrtpEngine {
    /** Our C core on OpenSSL libcrypto, through JNI: the production engine. */
    OPENSSL,
    /**
     * Debian's libsrtp2 through JNI: the reference implementation (no AES-f8). It lives in native's
     * test library, so it exists where native's test-jar is on the classpath (tests, benchmarks);
     * elsewhere opening a session on it fails with UNSUPPORTED.
     */
    LIBSRTP2,
    /**
     * Pure Java on JCE: a readable reference for tests and benchmarks. Nothing falls back to it:
     * a relay runs the one engine its options name (the proxy: OPENSSL).
     */
    JAVA;

    public boolean supports(CryptoSuite suite) {
        return this != LIBSRTP2 || suite != CryptoSuite.F8_128_HMAC_SHA1_80;
    }
}
