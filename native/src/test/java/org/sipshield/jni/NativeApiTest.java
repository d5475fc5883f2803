package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.RtpPackets;

/** Caller mistakes and hostile packets get typed codes, never a crash. */
class NativeApiTest {
    private static final byte[] KEY = SrtpNativeTest.pattern(16, 1);
    private static final byte[] SALT = SrtpNativeTest.pattern(14, 2);
    private static final int CM80 = SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80;

    @Test
    void badSessionParametersAreRejectedWithAStatus() {
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, CM80, 0, new byte[15], SALT, new byte[0], 128));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, CM80, 0, KEY, new byte[12], new byte[0], 128));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, CM80, 0, KEY, SALT, new byte[0], 63));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, CM80, 0, KEY, SALT, new byte[0], 32768));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, 99, 0, KEY, SALT, new byte[0], 128));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, CM80, 2, KEY, SALT, new byte[0], 128));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(7, CM80, 0, KEY, SALT, new byte[0], 128));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, CM80, 0, null, SALT, new byte[0], 128));
        assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.createSession(0, CM80, 0, KEY, SALT, new byte[129], 128));
        assertEquals(-SrtpNative.STATUS_UNSUPPORTED, SrtpNative.createSession(SrtpNative.ENGINE_LIBSRTP2,
                SrtpNative.SUITE_F8_128_HMAC_SHA1_80, 0, KEY, SALT, new byte[0], 128));
    }

    @Test
    void badBuffersAndDirectionsAreRejectedWithAStatus() {
        long out = NativeSessions.create(0, CM80, SrtpNative.DIRECTION_OUTBOUND, KEY, SALT);
        try {
            ByteBuffer direct = ByteBuffer.allocateDirect(200);
            direct.put(RtpPackets.g711(1, 1));
            int bad = -SrtpNative.STATUS_BAD_ARGUMENT;
            assertEquals(bad, SrtpNative.protectRtp(out, ByteBuffer.allocate(200), 0, 172, 200));
            assertEquals(bad, SrtpNative.protectRtp(out, null, 0, 172, 200));
            assertEquals(bad, SrtpNative.protectRtp(0, direct, 0, 172, 200));
            assertEquals(bad, SrtpNative.protectRtp(out, direct, -1, 172, 200));
            assertEquals(bad, SrtpNative.protectRtp(out, direct, 10, 172, 200));
            assertEquals(bad, SrtpNative.protectRtp(out, direct, 0, 201, 201));
            assertEquals(bad, SrtpNative.unprotectRtp(out, direct, 0, 172, 200));
            assertEquals(bad, SrtpNative.unprotectRtcp(out, direct, 0, 172, 200));
            assertEquals(-SrtpNative.STATUS_BUFFER_TOO_SMALL, SrtpNative.protectRtp(out, direct, 0, 172, 181));
            assertEquals(-SrtpNative.STATUS_BAD_PACKET, SrtpNative.protectRtp(out, direct, 0, 11, 200));
            direct.put(0, (byte) 0x40);  // RTP version 1
            assertEquals(-SrtpNative.STATUS_BAD_PACKET, SrtpNative.protectRtp(out, direct, 0, 172, 200));
            direct.put(0, (byte) 0x9f);  // 15 CSRCs + extension: header longer than the packet
            assertEquals(-SrtpNative.STATUS_BAD_PACKET, SrtpNative.protectRtp(out, direct, 0, 40, 200));
        } finally {
            SrtpNative.destroySession(out);
        }
    }

    @Test
    void tooManySsrcsInOneSessionIsTyped() {
        long out = NativeSessions.create(0, CM80, SrtpNative.DIRECTION_OUTBOUND, KEY, SALT);
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(200);
            for (int ssrc = 1; ssrc <= SrtpNative.MAX_STREAMS + 1; ssrc++) {
                buf.clear();
                buf.put(RtpPackets.g711(ssrc, 5));
                int r = SrtpNative.protectRtp(out, buf, 0, 172, 200);
                assertEquals(ssrc <= SrtpNative.MAX_STREAMS ? 182 : -SrtpNative.STATUS_TOO_MANY_STREAMS, r);
            }
        } finally {
            SrtpNative.destroySession(out);
        }
    }

    @Test
    void batchProcessesEveryPacketAndReportsEachResult() {
        for (int engine : new int[] {SrtpNative.ENGINE_OPENSSL, SrtpNative.ENGINE_LIBSRTP2}) {
            long out = NativeSessions.create(engine, CM80, SrtpNative.DIRECTION_OUTBOUND, KEY, SALT);
            long in = NativeSessions.create(engine, CM80, SrtpNative.DIRECTION_INBOUND, KEY, SALT);
            try {
                int slot = 256;
                ByteBuffer buf = ByteBuffer.allocateDirect(slot * 32);
                int[] offsets = new int[32];
                int[] lengths = new int[32];
                for (int i = 0; i < 32; i++) {
                    offsets[i] = i * slot;
                    lengths[i] = 172;
                    buf.put(i * slot, RtpPackets.g711(42, 100 + i));
                }
                lengths[5] = 3;  // one runt: reported, the rest still done
                assertEquals(31, SrtpNative.processBatch(out, SrtpNative.OP_PROTECT_RTP, buf, offsets, lengths, 32, slot));
                assertEquals(-SrtpNative.STATUS_BAD_PACKET, lengths[5]);
                lengths[5] = 0;
                for (int i = 0; i < 32; i++) {
                    if (i != 5) {
                        assertEquals(182, lengths[i]);
                    }
                }
                buf.put(7 * slot + 100, (byte) (buf.get(7 * slot + 100) ^ 1));  // tamper one
                int ok = SrtpNative.processBatch(in, SrtpNative.OP_UNPROTECT_RTP, buf, offsets, lengths, 32, slot);
                assertEquals(30, ok);
                assertEquals(-SrtpNative.STATUS_AUTH_FAILED, lengths[7]);
                for (int i = 0; i < 32; i++) {
                    if (i != 5 && i != 7) {
                        assertEquals(172, lengths[i]);
                        assertArrayEquals(RtpPackets.g711(42, 100 + i), SrtpNativeTest.bytes(buf, i * slot, 172));
                    }
                }
                assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT,
                        SrtpNative.processBatch(in, SrtpNative.OP_UNPROTECT_RTP, buf, offsets, lengths, 33, slot));
                assertEquals(-SrtpNative.STATUS_BAD_ARGUMENT,
                        SrtpNative.processBatch(in, SrtpNative.OP_PROTECT_RTP, buf, offsets, lengths, 32, slot));
            } finally {
                SrtpNative.destroySession(out);
                SrtpNative.destroySession(in);
            }
        }
    }
}
