package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.RtpPackets;

/**
 * Creating and destroying sessions must not leak native memory. The probe is glibc's mallinfo2
 * (bytes in use across all arenas), which sees every allocation libcrypto and libsrtp2 make.
 */
class NativeSessionMemoryTest {
    private static final int SESSIONS = 100_000;
    /** 4 MiB over 100,000 sessions: a leak of 42 bytes per session or more fails. */
    private static final long TOLERANCE = 4L << 20;

    @Test
    void hundredThousandOpenSslSessionsLeaveTheHeapFlat() {
        assertFlat(SrtpNative.ENGINE_OPENSSL, SESSIONS, TOLERANCE);
    }

    /**
     * Debian's libsrtp2 sits on NSS, whose context setup costs about 1 ms: 5,000 sessions keep the
     * test quick, and 1 MiB still catches a leak of 210 bytes per session.
     */
    @Test
    void fiveThousandLibsrtp2SessionsLeaveTheHeapFlat() {
        assertFlat(SrtpNative.ENGINE_LIBSRTP2, 5_000, 1L << 20);
    }

    /** The probe must be able to see a session at all, or "flat" would prove nothing. */
    @Test
    void theProbeSeesLiveSessions() {
        long before = SrtpNativeTesting.nativeHeapInUse();
        long[] live = new long[1000];
        for (int i = 0; i < live.length; i++) {
            live[i] = create(SrtpNative.ENGINE_OPENSSL, i);
        }
        long during = SrtpNativeTesting.nativeHeapInUse();
        for (long h : live) {
            SrtpNative.destroySession(h);
        }
        long after = SrtpNativeTesting.nativeHeapInUse();
        System.out.printf("1000 live sessions: +%d bytes; after destroy: %+d bytes%n", during - before, after - before);
        assertTrue(during - before > 1000L * 1000, "1000 sessions should hold > 1 MB, saw " + (during - before));
        assertTrue(after - before < during - before, "destroying must give the memory back");
    }

    /**
     * The probe counts the whole process, JIT compiler threads included, so one round can grow for
     * reasons of its own; a leak grows every round. The smallest growth of three rounds must stay
     * under the tolerance.
     */
    private static void assertFlat(int engine, int sessions, long tolerance) {
        ByteBuffer buf = ByteBuffer.allocateDirect(256);
        for (int i = 0; i < 500; i++) {  // warm up the allocator, the JIT and OpenSSL's caches
            cycle(engine, i, buf);
        }
        long smallest = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = SrtpNativeTesting.nativeHeapInUse();
            for (int i = 0; i < sessions; i++) {
                cycle(engine, i, buf);
            }
            long growth = SrtpNativeTesting.nativeHeapInUse() - before;
            System.out.printf("engine %d: %d sessions, native heap %+d bytes%n", engine, sessions, growth);
            smallest = Math.min(smallest, growth);
        }
        assertTrue(smallest < tolerance,
                "native heap grew by at least " + smallest + " bytes in every round of " + sessions + " sessions");
    }

    /** Each session also protects a packet, so per-stream state is created before it is freed. */
    private static void cycle(int engine, int i, ByteBuffer buf) {
        long h = create(engine, i);
        byte[] rtp = RtpPackets.g711(i, i & 0xffff);
        buf.clear();
        buf.put(rtp);
        int len = SrtpNative.protectRtp(h, buf, 0, rtp.length, buf.capacity());
        SrtpNative.destroySession(h);
        assertTrue(len > rtp.length, "protect failed: " + len);
    }

    private static long create(int engine, int i) {
        int suite = i % 2 == 0 ? SrtpNative.SUITE_AEAD_AES_128_GCM : SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80;
        byte[] salt = SrtpNativeTest.pattern(suite == SrtpNative.SUITE_AEAD_AES_128_GCM ? 12 : 14, i);
        return NativeSessions.create(engine, suite, SrtpNative.DIRECTION_OUTBOUND, SrtpNativeTest.pattern(16, i), salt);
    }
}
