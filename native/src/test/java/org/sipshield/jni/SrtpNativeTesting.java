package org.sipshield.jni;

import java.nio.ByteBuffer;

/**
 * The Java face of the reference library (libsipshield_srtp_reference.so, built from
 * native/src/test/c into test-classes, so it ships in native's test-jar and never in the proxy):
 * the entry points only tests and benchmarks use. Loading it also installs Debian's libsrtp2 as
 * {@link SrtpNative#ENGINE_LIBSRTP2}; {@link NativeLibrary} loads it wherever it is on the classpath.
 */
public final class SrtpNativeTesting {
    static {
        NativeLibrary.load();
    }

    private SrtpNativeTesting() {}

    /** libsrtp2's own version string: proof the reference engine is the real libsrtp2. */
    public static native String referenceVersion();

    /**
     * Test vectors only: an {@link SrtpNative#ENGINE_OPENSSL} session (the reference library's copy
     * of our core) from already derived <em>session</em> keys, as RFC 3711 B.1/B.2 and RFC 7714
     * print them, registered with the shipped library so its entry points run it. For F8 the salt
     * may be shorter than 14 octets (B.1 uses 4).
     *
     * @return a handle ({@code > 0}), or {@code -STATUS_x}
     */
    public static native long createSessionFromSessionKeys(int suite, int direction, byte[] rtpKey, byte[] rtpSalt,
            byte[] rtpAuthKey, byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuthKey, byte[] mki, int replayWindow);

    /**
     * The RFC 3711 / RFC 6188 AES-CM key derivation (kdr = 0): fills {@code out} with the session
     * key for {@code label} (0..5), so the RFC's derivation vectors test it directly.
     *
     * @return a status
     */
    public static native int deriveSessionKey(byte[] masterKey, byte[] masterSalt, int label, byte[] out);

    /** Benchmark floor: an AES-GCM context with a random key ({@code keyLength} 16 or 32). */
    public static native long evpFloorCreate(int keyLength);

    /**
     * Benchmark floor: encrypts the packet {@code packets} times in a C loop, each with a fresh
     * IV, the first 12 octets as AAD, the tag appended. Returns a status.
     */
    public static native int evpFloorRun(long floor, ByteBuffer buffer, int offset, int length, int capacity,
            int packets);

    public static native void evpFloorDestroy(long floor);

    /** Bytes the C heap (malloc, all arenas) has in use: for leak tests. */
    public static native long nativeHeapInUse();
}
