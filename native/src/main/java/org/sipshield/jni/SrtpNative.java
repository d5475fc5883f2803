package org.sipshield.jni;

import java.nio.ByteBuffer;

/**
 * The JNI face of the native SRTP core (libsipshield_srtp.so): our own SRTP/SRTCP implementation
 * on OpenSSL libcrypto ({@link #ENGINE_OPENSSL}) and, behind the same session API, Debian's libsrtp2
 * as the reference engine ({@link #ENGINE_LIBSRTP2}). The reference lives in a test library
 * (native's test-jar) and is there only where that library is on the classpath (tests,
 * benchmarks): the shipped library links libcrypto alone and answers {@link #STATUS_UNSUPPORTED}
 * for {@link #ENGINE_LIBSRTP2}.
 *
 * <p>This class is deliberately thin: sessions are opaque {@code long} handles and results are
 * {@code int} codes, so the hot path neither allocates nor throws. Most code should use the
 * {@code org.sipshield.srtp} module, which wraps handles in objects that cannot be misused.
 *
 * <h2>Sessions</h2>
 * A session is one call leg in one direction: {@link #DIRECTION_OUTBOUND} sessions only protect,
 * {@link #DIRECTION_INBOUND} sessions only unprotect (the other operations answer
 * {@link #STATUS_BAD_ARGUMENT}). A session tracks up to {@link #MAX_STREAMS} SSRCs, each with its
 * own ROC, replay windows and SRTCP index. <b>A session is used by one thread at a time</b>; the
 * caller serialises access. A handle names a slot and its generation in the core's table, never
 * memory: one that was destroyed, or never given out, is refused ({@link #STATUS_BAD_ARGUMENT}, or
 * -1 from {@link #roc}), even once its slot holds another session. That is no lock: destroying a
 * session while another thread uses it is still the caller's error.
 *
 * <h2>Packets</h2>
 * Packets are processed in place in direct {@link ByteBuffer}s: bytes
 * {@code [offset, offset + length)} are the input; the output starts at {@code offset} too, and may
 * grow up to {@code capacity} bytes (tag, MKI and SRTCP index are appended when protecting). A
 * packet call returns the new length ({@code >= 0}) or {@code -STATUS_x} ({@code < 0}). The
 * buffer's position and limit are not touched.
 */
public final class SrtpNative {
    static {
        NativeLibrary.load();
    }

    private SrtpNative() {}

    public static final int ENGINE_OPENSSL = 0;
    public static final int ENGINE_LIBSRTP2 = 1;

    public static final int DIRECTION_OUTBOUND = 0;
    public static final int DIRECTION_INBOUND = 1;

    /** Suite ids; their key, salt and tag lengths are listed by {@code CryptoSuite} in srtp/. */
    public static final int SUITE_AEAD_AES_128_GCM = 0;
    public static final int SUITE_AEAD_AES_256_GCM = 1;
    public static final int SUITE_AES_CM_128_HMAC_SHA1_80 = 2;
    public static final int SUITE_AES_CM_128_HMAC_SHA1_32 = 3;
    public static final int SUITE_AES_256_CM_HMAC_SHA1_80 = 4;
    public static final int SUITE_AES_256_CM_HMAC_SHA1_32 = 5;
    /** RFC 3711 AES-f8: {@link #ENGINE_OPENSSL} only (libsrtp2 has no f8). */
    public static final int SUITE_F8_128_HMAC_SHA1_80 = 6;
    /** RFC 6188 AES-192: implemented so the RFC's vectors run; not offered for negotiation. */
    public static final int SUITE_AES_192_CM_HMAC_SHA1_80 = 7;
    public static final int SUITE_AES_192_CM_HMAC_SHA1_32 = 8;
    /**
     * AES-128-GCM with 8-octet tags (libsrtp2's aes_gcm_128_8_auth; no SDES name): not offered for
     * negotiation, kept so tests prove the core takes each suite's GCM tag length from its table.
     */
    public static final int SUITE_AEAD_AES_128_GCM_8 = 9;

    public static final int OP_PROTECT_RTP = 0;
    public static final int OP_UNPROTECT_RTP = 1;
    public static final int OP_PROTECT_RTCP = 2;
    public static final int OP_UNPROTECT_RTCP = 3;

    public static final int STATUS_OK = 0;
    /** The tag did not verify: forged, corrupted, or keyed differently. */
    public static final int STATUS_AUTH_FAILED = 1;
    /** The packet index was already accepted, or is older than the replay window. */
    public static final int STATUS_REPLAYED = 2;
    /** Not a parseable RTP/RTCP packet (too short, wrong version, header overruns). */
    public static final int STATUS_BAD_PACKET = 3;
    /** Not enough capacity after the packet for what protection appends. */
    public static final int STATUS_BUFFER_TOO_SMALL = 4;
    /** The packet's MKI is not this session's. */
    public static final int STATUS_BAD_MKI = 5;
    /** More than {@link #MAX_STREAMS} SSRCs in one session. */
    public static final int STATUS_TOO_MANY_STREAMS = 6;
    /** The key has protected all the packets it may (2^48 SRTP / 2^31 SRTCP). */
    public static final int STATUS_INDEX_EXHAUSTED = 7;
    /** Caller error: bad handle, direction, offset, length, capacity or parameter. */
    public static final int STATUS_BAD_ARGUMENT = 8;
    /**
     * The engine cannot do this (F8 on libsrtp2; ROC of a stream libsrtp2 has not seen; libsrtp2 at
     * all where the reference library is not loaded).
     */
    public static final int STATUS_UNSUPPORTED = 9;
    /** libcrypto or libsrtp2 failed unexpectedly. */
    public static final int STATUS_INTERNAL_ERROR = 10;

    public static final int MAX_STREAMS = 8;
    public static final int MIN_REPLAY_WINDOW = 64;
    public static final int MAX_REPLAY_WINDOW = 32767;
    public static final int MAX_MKI_LENGTH = 128;
    /** Largest batch one {@link #processBatch} call takes. */
    public static final int MAX_BATCH = 1024;

    /** Version of the core and of the library it is built on (OpenSSL). */
    public static native String version();

    /**
     * Creates a session from the master key and salt (keys are derived inside; the arrays are
     * copied and may be wiped by the caller right after).
     *
     * @param mki the MKI carried in every packet, or an empty array for none
     * @param replayWindow packets, {@link #MIN_REPLAY_WINDOW}..{@link #MAX_REPLAY_WINDOW}
     * @return a handle ({@code > 0}), or {@code -STATUS_x}
     */
    public static native long createSession(int engine, int suite, int direction, byte[] masterKey,
            byte[] masterSalt, byte[] mki, int replayWindow);

    /** Frees the session and wipes its key material. A handle that is not live is ignored. */
    public static native void destroySession(long session);

    /** @return new length, or {@code -STATUS_x} */
    public static native int protectRtp(long session, ByteBuffer buffer, int offset, int length, int capacity);

    /** @return new length, or {@code -STATUS_x} */
    public static native int unprotectRtp(long session, ByteBuffer buffer, int offset, int length, int capacity);

    /** @return new length, or {@code -STATUS_x} */
    public static native int protectRtcp(long session, ByteBuffer buffer, int offset, int length, int capacity);

    /** @return new length, or {@code -STATUS_x} */
    public static native int unprotectRtcp(long session, ByteBuffer buffer, int offset, int length, int capacity);

    /**
     * Processes {@code count} packets of one direct buffer in one JNI crossing. Packet {@code i}
     * starts at {@code offsets[i]}, is {@code lengths[i]} long and may grow to
     * {@code min(slotCapacity, buffer.capacity() - offsets[i])} bytes. On return {@code lengths[i]}
     * holds the packet's new length or {@code -STATUS_x}; one bad packet does not stop the others.
     *
     * @param operation one of the {@code OP_} constants
     * @return the number of packets processed successfully, or {@code -STATUS_BAD_ARGUMENT} if the
     *     call itself is malformed (then no packet was touched)
     */
    public static native int processBatch(long session, int operation, ByteBuffer buffer, int[] offsets,
            int[] lengths, int count, int slotCapacity);

    /**
     * Processes {@code count} packets in one JNI crossing, each with its own session, operation and
     * direct buffer (e.g. the packets one event-loop wake-up read from many sockets, each in its own
     * receive buffer): packet {@code i} is bytes {@code [offsets[i], offsets[i] + lengths[i])} of
     * {@code buffers[i]} and may grow to {@code capacities[i]} bytes, all inside that buffer's
     * capacity. On return {@code lengths[i]} holds the packet's new length or {@code -STATUS_x},
     * exactly what the single-packet call would have answered; one bad packet (or bad descriptor)
     * does not stop the others. The packets are processed in index order.
     *
     * @param operations one of the {@code OP_} constants per packet
     * @return the number of packets processed successfully, or {@code -STATUS_BAD_ARGUMENT} if the
     *     call itself is malformed (null or short arrays, count outside 0..{@link #MAX_BATCH}); then
     *     no packet was touched
     */
    public static native int processPackets(long[] sessions, int[] operations, ByteBuffer[] buffers, int[] offsets,
            int[] lengths, int[] capacities, int count);

    /** The ROC of the stream with this SSRC, or -1 if the session has not seen it. */
    public static native long roc(long session, int ssrc);

    /**
     * Sets the ROC of a stream a receiver joins in progress; returns a status. Allowed only on an
     * inbound session, for a stream that has not yet accepted an SRTP packet: the stream's replay
     * window starts over with it, which on a sender or a stream in use would let one index be used
     * twice under one key. Otherwise {@link #STATUS_BAD_ARGUMENT}; libsrtp2, which can set only
     * streams it has seen, answers {@link #STATUS_UNSUPPORTED} for the others.
     */
    public static native int setRoc(long session, int ssrc, int roc);
}
