package org.sipshield.jni;

/** The JNI face of the native SRTP core (libsipshield_srtp.so). */
public final class SrtpNative {
    static {
        NativeLibrary.load();
    }

    private SrtpNative() {}

    /** Version of the core and of the libraries it is built on (OpenSSL, libsrtp2). */
    public static native String version();
}
