package org.sipshield.srtp;

import java.nio.ByteBuffer;
import org.sipshield.jni.SrtpNative;

/** A session run by the native library: our OpenSSL core or libsrtp2. */
final class NativeSrtpSession extends SrtpSession {
    private final long handle;
    private ByteBuffer scratch;  // heap buffers are staged through this direct buffer

    private NativeSrtpSession(SrtpEngine engine, SrtpDirection direction, CryptoSuite suite, SrtpSessionOptions options,
            SrtpMasterKey key, long handle) {
        super(engine, direction, suite, options, key);
        this.handle = handle;
    }

    static NativeSrtpSession fromMasterKey(SrtpEngine engine, SrtpDirection direction, CryptoSuite suite,
            SrtpSessionOptions options, SrtpMasterKey key, byte[] masterKey, byte[] masterSalt) {
        int nativeEngine = engine == SrtpEngine.OPENSSL ? SrtpNative.ENGINE_OPENSSL : SrtpNative.ENGINE_LIBSRTP2;
        long h = SrtpNative.createSession(nativeEngine, suite.params().nativeId(), nativeDirection(direction), masterKey,
                masterSalt, options.mkiBytes(), options.replayWindow());
        return new NativeSrtpSession(engine, direction, suite, options, key, checked(h, engine, suite));
    }

    /**
     * Tests only: wraps a handle the reference library made from session keys (the RFC vectors);
     * the caller gives the direction, suite and options it made it with.
     */
    static NativeSrtpSession adoptForTest(SrtpDirection direction, CryptoSuite suite, SrtpSessionOptions options,
            long handle) {
        return new NativeSrtpSession(SrtpEngine.OPENSSL, direction, suite, options, null,
                checked(handle, SrtpEngine.OPENSSL, suite));
    }

    static int nativeDirection(SrtpDirection d) {
        return d == SrtpDirection.OUTBOUND ? SrtpNative.DIRECTION_OUTBOUND : SrtpNative.DIRECTION_INBOUND;
    }

    private static long checked(long handle, SrtpEngine engine, CryptoSuite suite) {
        if (handle <= 0) {
            throw new IllegalArgumentException("cannot create a " + engine + " session for " + suite + ": "
                    + SrtpStatus.ofCode((int) -handle));
        }
        return handle;
    }

    /**
     * For {@link SrtpPacketBatch}, which checks {@link #isClosed()} before it hands the handle over;
     * should a closed handle get through anyway, the core refuses it (its generation is gone).
     */
    long handle() {
        return handle;
    }

    @Override
    int processOne(int op, ByteBuffer buffer, int offset, int length, int capacity) {
        if (buffer.isDirect()) {
            return call(op, buffer, offset, length, capacity);
        }
        if (scratch == null || scratch.capacity() < capacity) {
            scratch = ByteBuffer.allocateDirect(Math.max(capacity, 2048));
        }
        scratch.clear();
        scratch.put(buffer.duplicate().position(offset).limit(offset + length));
        int r = call(op, scratch, 0, length, capacity);
        if (r >= 0) {
            buffer.duplicate().clear().position(offset).put(scratch.clear().limit(r));
        }
        return r;
    }

    private int call(int op, ByteBuffer buffer, int offset, int length, int capacity) {
        switch (op) {
            case SrtpNative.OP_PROTECT_RTP: return SrtpNative.protectRtp(handle, buffer, offset, length, capacity);
            case SrtpNative.OP_UNPROTECT_RTP: return SrtpNative.unprotectRtp(handle, buffer, offset, length, capacity);
            case SrtpNative.OP_PROTECT_RTCP: return SrtpNative.protectRtcp(handle, buffer, offset, length, capacity);
            case SrtpNative.OP_UNPROTECT_RTCP: return SrtpNative.unprotectRtcp(handle, buffer, offset, length, capacity);
            default: return -SrtpNative.STATUS_BAD_ARGUMENT;
        }
    }

    @Override
    int processBatch(int op, ByteBuffer buffer, int[] offsets, int[] lengths, int count, int slot) {
        return SrtpNative.processBatch(handle, op, buffer, offsets, lengths, count, slot);
    }

    @Override
    long rocOf(int ssrc) {
        return SrtpNative.roc(handle, ssrc);
    }

    @Override
    int setRocOf(int ssrc, int roc) {
        return SrtpNative.setRoc(handle, ssrc, roc);
    }

    @Override
    void release() {
        SrtpNative.destroySession(handle);
        scratch = null;
    }
}
