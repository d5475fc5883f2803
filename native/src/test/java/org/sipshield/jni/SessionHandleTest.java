package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.RtpPackets;

/**
 * A handle is checked by the core, not trusted: one that was closed, or was never given out, must
 * be refused by every call (before, it was a raw pointer: a closed one was a use after free, a
 * made-up one a wild read, and either could crash the JVM or run on freed key material).
 */
class SessionHandleTest {
    private static final byte[] KEY = SrtpNativeTest.pattern(16, 1);
    private static final byte[] SALT = SrtpNativeTest.pattern(12, 2);

    private static long open(int engine, int direction) {
        return NativeSessions.create(engine, SrtpNative.SUITE_AEAD_AES_128_GCM, direction, KEY, SALT);
    }

    @Test
    void aClosedHandleIsRefusedEvenAfterItsSlotIsReused() {
        for (int engine : new int[] {SrtpNative.ENGINE_OPENSSL, SrtpNative.ENGINE_LIBSRTP2}) {
            long closed = open(engine, SrtpNative.DIRECTION_OUTBOUND);
            ByteBuffer b = ByteBuffer.allocateDirect(256).put(RtpPackets.g711(5, 1));
            assertTrue(SrtpNative.protectRtp(closed, b, 0, 172, 256) > 0);
            SrtpNative.destroySession(closed);
            SrtpNative.destroySession(closed);  // twice: the second finds nothing to free
            long reused = open(engine, SrtpNative.DIRECTION_OUTBOUND);
            try {
                assertNotEquals(closed, reused, "a new session never gets a closed session's handle");
                assertRefused(closed);
                b.clear().put(RtpPackets.g711(5, 2));
                assertEquals(172 + 16, SrtpNative.protectRtp(reused, b, 0, 172, 256), "the new session works");
            } finally {
                SrtpNative.destroySession(reused);
            }
        }
    }

    @Test
    void handlesNeverGivenOutAreRefused() {
        long live = open(SrtpNative.ENGINE_OPENSSL, SrtpNative.DIRECTION_OUTBOUND);
        try {
            // Its slot under other generations, a slot far past any table, raw-pointer-like and
            // generation-0 numbers, negatives (none of these can name another live session).
            for (long made : new long[] {0, 1, 42, live ^ (1L << 32), live + (1L << 33), (live & ~0xffffffffL) | 0xfffffff0L,
                    0x00007f0012345670L, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
                if (made != live) {
                    assertRefused(made);
                    SrtpNative.destroySession(made);  // frees nothing, and above all not live
                }
            }
            ByteBuffer b = ByteBuffer.allocateDirect(256).put(RtpPackets.g711(5, 1));
            assertEquals(172 + 16, SrtpNative.protectRtp(live, b, 0, 172, 256), "the live session survived");
        } finally {
            SrtpNative.destroySession(live);
        }
    }

    /** Every entry point that takes a handle: refused, and the packet left as it was. */
    private static void assertRefused(long handle) {
        String what = "handle " + Long.toHexString(handle);
        byte[] rtp = RtpPackets.g711(5, 9);
        ByteBuffer b = ByteBuffer.allocateDirect(256).put(rtp);
        int bad = -SrtpNative.STATUS_BAD_ARGUMENT;
        assertEquals(bad, SrtpNative.protectRtp(handle, b, 0, 172, 256), what);
        assertEquals(bad, SrtpNative.unprotectRtp(handle, b, 0, 172, 256), what);
        assertEquals(bad, SrtpNative.protectRtcp(handle, b, 0, 172, 256), what);
        assertEquals(bad, SrtpNative.unprotectRtcp(handle, b, 0, 172, 256), what);
        int[] offsets = {0};
        int[] lengths = {172};
        assertEquals(bad, SrtpNative.processBatch(handle, SrtpNative.OP_PROTECT_RTP, b, offsets, lengths, 1, 256), what);
        long other = open(SrtpNative.ENGINE_OPENSSL, SrtpNative.DIRECTION_OUTBOUND);
        try {
            ByteBuffer ok = ByteBuffer.allocateDirect(256).put(rtp);
            int[] lens = {172, 172};
            assertEquals(1, SrtpNative.processPackets(new long[] {handle, other},
                    new int[] {SrtpNative.OP_PROTECT_RTP, SrtpNative.OP_PROTECT_RTP}, new ByteBuffer[] {b, ok},
                    new int[] {0, 0}, lens, new int[] {256, 256}, 2), what);
            assertEquals(bad, lens[0], what + " in a burst");
            assertEquals(172 + 16, lens[1], "the burst's good packet");
        } finally {
            SrtpNative.destroySession(other);
        }
        assertEquals(-1, SrtpNative.roc(handle, 5), what);
        assertEquals(SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.setRoc(handle, 5, 0), what);
        assertEquals(0, b.get(0) ^ rtp[0], what + ": the packet is untouched");
        assertEquals(rtp[100], b.get(100), what + ": the packet is untouched");
    }
}
