package org.sipshield.srtp;

import org.sipshield.jni.SrtpNativeTesting;

/**
 * Test vectors only: a session from already derived session keys (RFC 3711 B.1/B.2, RFC 7714
 * print those). Not available on LIBSRTP2, which always derives. The OPENSSL session comes from the
 * reference library (native's test-jar): the shipped library has no such entry point.
 */
final class SessionKeys {
    private SessionKeys() {}

    static SrtpSession open(SrtpEngine engine, SrtpDirection direction, CryptoSuite suite, byte[] rtpKey,
            byte[] rtpSalt, byte[] rtpAuth, byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuth, SrtpSessionOptions options) {
        if (engine == SrtpEngine.JAVA) {
            return new JavaSrtpSession(direction, suite, options, null, new JavaSrtpCore(suite.params(), direction,
                    rtpKey, rtpSalt, rtpAuth, rtcpKey, rtcpSalt, rtcpAuth, options));
        }
        if (engine != SrtpEngine.OPENSSL) {
            throw new IllegalArgumentException(engine + " cannot take session keys");
        }
        long h = SrtpNativeTesting.createSessionFromSessionKeys(suite.params().nativeId(),
                NativeSrtpSession.nativeDirection(direction), rtpKey, rtpSalt, rtpAuth, rtcpKey, rtcpSalt, rtcpAuth,
                options.mkiBytes(), options.replayWindow());
        return NativeSrtpSession.adoptForTest(direction, suite, options, h);
    }
}
