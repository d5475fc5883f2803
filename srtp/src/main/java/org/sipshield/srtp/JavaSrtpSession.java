package org.sipshield.srtp;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A session run by {@link JavaSrtpCore}. Packets are staged through a session-owned array. */
final class JavaSrtpSession extends SrtpSession {
    private final JavaSrtpCore core;
    private byte[] work = new byte[2048];

    JavaSrtpSession(SrtpDirection direction, CryptoSuite suite, SrtpSessionOptions options, SrtpMasterKey key,
            JavaSrtpCore core) {
        super(SrtpEngine.JAVA, direction, suite, options, key);
        this.core = core;
    }

    @Override
    int processOne(int op, ByteBuffer buffer, int offset, int length, int capacity) {
        if (work.length < capacity) {
            work = new byte[capacity];
        }
        buffer.get(offset, work, 0, length);
        int r = core.process(op, work, length, capacity);
        if (r >= 0) {
            int limit = buffer.limit();
            buffer.limit(buffer.capacity());  // absolute puts are bounded by the limit, the packet may grow past it
            buffer.put(offset, work, 0, r);
            buffer.limit(limit);
        }
        return r;
    }

    @Override
    int processBatch(int op, ByteBuffer buffer, int[] offsets, int[] lengths, int count, int slot) {
        int ok = 0;
        for (int i = 0; i < count; i++) {
            int cap = Math.min(slot, buffer.capacity() - offsets[i]);
            int r = lengths[i] < 0 || lengths[i] > cap ? -SrtpStatus.BAD_ARGUMENT.code()
                    : processOne(op, buffer, offsets[i], lengths[i], cap);
            lengths[i] = r;
            if (r >= 0) {
                ok++;
            }
        }
        return ok;
    }

    @Override
    long rocOf(int ssrc) {
        return core.roc(ssrc);
    }

    @Override
    int setRocOf(int ssrc, int roc) {
        return core.setRoc(ssrc, roc);
    }

    @Override
    void release() {
        core.wipe();
        Arrays.fill(work, (byte) 0);
    }
}
