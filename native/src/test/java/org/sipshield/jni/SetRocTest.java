package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.RtpPackets;

/**
 * setRoc resets the stream's replay window with the ROC. On a sender, or on a receiver that has
 * accepted a packet, that would make an SRTP index usable twice under one key (AES-CM keystream
 * reuse, GCM nonce reuse), so the core allows it only on an inbound stream before its first packet.
 */
class SetRocTest {
    private static final int SSRC = 0x0a0b0c0d;
    private static final int[] SUITES = {SrtpNative.SUITE_AEAD_AES_128_GCM, SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80};

    @Test
    void refusedOnOutboundStreamsBeforeAndAfterTheirFirstPacket() {
        for (int suite : SUITES) {
            for (int engine : new int[] {SrtpNative.ENGINE_OPENSSL, SrtpNative.ENGINE_LIBSRTP2}) {
                long out = session(engine, suite, SrtpNative.DIRECTION_OUTBOUND);
                try {
                    assertEquals(SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.setRoc(out, SSRC, 0), "fresh sender");
                    ByteBuffer first = packet(100);
                    assertEquals(true, SrtpNative.protectRtp(out, first, 0, 172, 256) > 0);
                    assertEquals(SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.setRoc(out, SSRC, 0), "sender in use");
                    // Before the fix setRoc(0) reset the window and SEQ 100 was encrypted a second
                    // time with the same keystream (nonce, for GCM).
                    assertEquals(-SrtpNative.STATUS_REPLAYED, SrtpNative.protectRtp(out, packet(100), 0, 172, 256),
                            "engine " + engine + " suite " + suite);
                } finally {
                    SrtpNative.destroySession(out);
                }
            }
        }
    }

    @Test
    void allowedOnAnInboundStreamOnlyBeforeItsFirstPacket() {
        for (int suite : SUITES) {
            long out = session(SrtpNative.ENGINE_LIBSRTP2, suite, SrtpNative.DIRECTION_OUTBOUND);
            long in = session(SrtpNative.ENGINE_OPENSSL, suite, SrtpNative.DIRECTION_INBOUND);
            long lib = session(SrtpNative.ENGINE_LIBSRTP2, suite, SrtpNative.DIRECTION_INBOUND);
            try {
                // libsrtp2 (the reference) sends SEQ 65535 then 3: the second is ROC 1.
                assertEquals(true, SrtpNative.protectRtp(out, packet(65535), 0, 172, 256) > 0);
                ByteBuffer sent = packet(3);
                int len = SrtpNative.protectRtp(out, sent, 0, 172, 256);
                assertEquals(1L, SrtpNative.roc(out, SSRC));
                byte[] wire = SrtpNativeTest.bytes(sent, 0, len);

                assertEquals(SrtpNative.STATUS_OK, SrtpNative.setRoc(in, SSRC, 1), "receiver joining at ROC 1");
                ByteBuffer got = ByteBuffer.allocateDirect(256).put(wire);
                assertEquals(172, SrtpNative.unprotectRtp(in, got, 0, len, 256));
                assertArrayEquals(SrtpNativeTest.bytes(packet(3), 0, 172), SrtpNativeTest.bytes(got, 0, 172));
                assertEquals(SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.setRoc(in, SSRC, 1), "receiver in use");
                got = ByteBuffer.allocateDirect(256).put(wire);
                assertEquals(-SrtpNative.STATUS_REPLAYED, SrtpNative.unprotectRtp(in, got, 0, len, 256),
                        "the window survived the refused setRoc");

                // libsrtp2 cannot set a stream it has not seen and refuses one it has.
                assertEquals(SrtpNative.STATUS_UNSUPPORTED, SrtpNative.setRoc(lib, SSRC, 1));
                ByteBuffer early = packet(7);
                long earlyOut = session(SrtpNative.ENGINE_OPENSSL, suite, SrtpNative.DIRECTION_OUTBOUND);
                try {
                    int n = SrtpNative.protectRtp(earlyOut, early, 0, 172, 256);
                    assertEquals(172, SrtpNative.unprotectRtp(lib, early, 0, n, 256));
                } finally {
                    SrtpNative.destroySession(earlyOut);
                }
                assertEquals(SrtpNative.STATUS_BAD_ARGUMENT, SrtpNative.setRoc(lib, SSRC, 1));
            } finally {
                SrtpNative.destroySession(out);
                SrtpNative.destroySession(in);
                SrtpNative.destroySession(lib);
            }
        }
    }

    private static long session(int engine, int suite, int direction) {
        boolean gcm = suite == SrtpNative.SUITE_AEAD_AES_128_GCM;
        return NativeSessions.create(engine, suite, direction, SrtpNativeTest.pattern(16, 5),
                SrtpNativeTest.pattern(gcm ? 12 : 14, 9));
    }

    private static ByteBuffer packet(int seq) {
        ByteBuffer b = ByteBuffer.allocateDirect(256);
        b.put(RtpPackets.g711(SSRC, seq));
        return b;
    }
}
