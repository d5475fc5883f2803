package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The session API's contract, the same on every engine. */
class SrtpSessionTest {
    private static final SrtpKeyManager KEYS = new SrtpKeyManager();

    private static SrtpSession[] pair(SrtpEngine engine, CryptoSuite suite, SrtpSessionOptions options) {
        SrtpMasterKey k = KEYS.newMasterKey(suite);
        SrtpMasterKey copy = SrtpMasterKey.of(suite, k.keyBytes(), k.saltBytes());
        return new SrtpSession[] {SrtpSession.open(engine, SrtpDirection.OUTBOUND, k, options),
            SrtpSession.open(engine, SrtpDirection.INBOUND, copy, options)};
    }

    @ParameterizedTest
    @EnumSource(SrtpEngine.class)
    void positionStaysLimitMovesAndHeapBuffersWorkToo(SrtpEngine engine) {
        SrtpSession[] s = pair(engine, CryptoSuite.AES_CM_128_HMAC_SHA1_32, SrtpSessionOptions.DEFAULTS);
        try {
            byte[] p = Packets.rtp(1, 9, 160, new Random(1));
            ByteBuffer heap = ByteBuffer.allocate(300);
            heap.position(50).put(p).flip().position(50);
            assertEquals(SrtpStatus.OK, s[0].protectRtp(heap));
            assertEquals(50, heap.position());
            assertEquals(50 + p.length + 4, heap.limit());
            assertEquals(SrtpStatus.OK, s[1].unprotectRtp(heap));
            assertEquals(50 + p.length, heap.limit());
            assertArrayEquals(p, Packets.bytes(heap));
        } finally {
            s[0].close();
            s[1].close();
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpEngine.class)
    void failuresAreTypedAndCounted(SrtpEngine engine) {
        SrtpSession[] s = pair(engine, CryptoSuite.AEAD_AES_128_GCM, SrtpSessionOptions.DEFAULTS.withReplayWindow(64));
        SrtpSession out = s[0];
        SrtpSession in = s[1];
        Random r = new Random(2);
        byte[] p = Packets.rtp(500, 9, 160, r);
        ByteBuffer tight = Packets.direct(p, p.length + 15);
        assertEquals(SrtpStatus.BUFFER_TOO_SMALL, out.protectRtp(tight));
        assertEquals(p.length, tight.limit());
        assertEquals(SrtpStatus.BAD_PACKET, out.protectRtp(Packets.direct(new byte[] {(byte) 0x80, 0, 1}, 64)));
        assertEquals(SrtpStatus.BAD_ARGUMENT, in.protectRtp(Packets.direct(p, 256)));
        assertEquals(SrtpStatus.BAD_ARGUMENT, out.unprotectRtp(Packets.direct(p, 256)));
        assertEquals(SrtpStatus.BAD_ARGUMENT, out.protectRtp(Packets.direct(p, 256).asReadOnlyBuffer()));

        ByteBuffer b = Packets.direct(p, 256);
        assertEquals(SrtpStatus.OK, out.protectRtp(b));
        byte[] sent = Packets.bytes(b);
        assertEquals(SrtpStatus.REPLAYED, out.protectRtp(Packets.direct(p, 256)), "the same index is never sent twice");
        assertEquals(SrtpStatus.OK, in.unprotectRtp(Packets.direct(sent, 256)));
        assertEquals(SrtpStatus.REPLAYED, in.unprotectRtp(Packets.direct(sent, 256)));
        for (int seq = 501; seq < 600; seq++) {
            ByteBuffer n = Packets.direct(Packets.rtp(seq, 9, 20, r), 256);
            assertEquals(SrtpStatus.OK, out.protectRtp(n));
            assertEquals(SrtpStatus.OK, in.unprotectRtp(n));
        }
        ByteBuffer forged = Packets.direct(Packets.rtp(700, 9, 20, r), 256);
        try (SrtpSession stranger = SrtpSession.open(engine, SrtpDirection.OUTBOUND,
                KEYS.newMasterKey(CryptoSuite.AEAD_AES_128_GCM))) {
            assertEquals(SrtpStatus.OK, stranger.protectRtp(forged));
        }
        assertEquals(SrtpStatus.AUTH_FAILED, in.unprotectRtp(forged), "keyed by someone else");

        assertEquals(100, out.counters().ok());
        assertEquals(1, out.counters().count(SrtpStatus.BUFFER_TOO_SMALL));
        assertEquals(1, out.counters().count(SrtpStatus.REPLAYED));
        assertEquals(4, out.counters().failed() - 1);
        assertEquals(1, in.counters().count(SrtpStatus.AUTH_FAILED));
        assertEquals(1, in.counters().count(SrtpStatus.REPLAYED));
        assertEquals(1, in.counters().count(SrtpStatus.BAD_ARGUMENT));

        out.close();
        in.close();
        assertEquals(SrtpStatus.SESSION_CLOSED, out.protectRtp(Packets.direct(p, 256)));
        assertEquals(1, out.counters().count(SrtpStatus.SESSION_CLOSED));
        assertTrue(out.roc(9).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(SrtpEngine.class)
    void packetsOlderThanTheWindowAreRejected(SrtpEngine engine) {
        SrtpSession[] s = pair(engine, CryptoSuite.AES_CM_128_HMAC_SHA1_80, SrtpSessionOptions.DEFAULTS.withReplayWindow(64));
        try {
            Random r = new Random(3);
            ByteBuffer old = Packets.direct(Packets.rtp(10, 5, 20, r), 256);
            assertEquals(SrtpStatus.OK, s[0].protectRtp(old));
            byte[] oldBytes = Packets.bytes(old);
            for (int seq = 11; seq <= 80; seq++) {
                ByteBuffer n = Packets.direct(Packets.rtp(seq, 5, 20, r), 256);
                assertEquals(SrtpStatus.OK, s[0].protectRtp(n));
                assertEquals(SrtpStatus.OK, s[1].unprotectRtp(n));
            }
            assertEquals(SrtpStatus.REPLAYED, s[1].unprotectRtp(Packets.direct(oldBytes, 256)), "70 behind a 64 window");
        } finally {
            s[0].close();
            s[1].close();
        }
    }

    @Test
    void libsrtp2DoesNotOfferF8AndSessionsNeedALiveKey() {
        assertThrows(IllegalArgumentException.class, () -> SrtpSession.open(SrtpEngine.LIBSRTP2, SrtpDirection.OUTBOUND,
                KEYS.newMasterKey(CryptoSuite.F8_128_HMAC_SHA1_80)));
        assertThrows(IllegalArgumentException.class, () -> SrtpSessionOptions.DEFAULTS.withReplayWindow(63));
        assertThrows(IllegalArgumentException.class, () -> SrtpSessionOptions.DEFAULTS.withReplayWindow(32768));
        try (SrtpSession s = SrtpSession.open(SrtpEngine.OPENSSL, SrtpDirection.OUTBOUND,
                KEYS.newMasterKey(CryptoSuite.AES_CM_128_HMAC_SHA1_32), SrtpSessionOptions.DEFAULTS.withMki(Mki.of(1, 2)))) {
            assertEquals(4 + 2, s.maxOverhead(SrtpOperation.PROTECT_RTP));
            assertEquals(10 + 4 + 2, s.maxOverhead(SrtpOperation.PROTECT_RTCP));
            assertEquals(0, s.maxOverhead(SrtpOperation.UNPROTECT_RTP));
        }
    }

    /**
     * setRoc resets a stream's replay window, so it is allowed only where no index has been used:
     * on an inbound stream before its first packet. On a sender, or a receiver already in use,
     * it would let one index be used twice under one key (keystream or GCM nonce reuse).
     */
    @ParameterizedTest
    @EnumSource(SrtpEngine.class)
    void setRocOnlyOnAnInboundStreamBeforeItsFirstPacket(SrtpEngine engine) {
        SrtpSession[] s = pair(engine, CryptoSuite.AEAD_AES_128_GCM, SrtpSessionOptions.DEFAULTS);
        try (SrtpSession out = s[0]; SrtpSession in = s[1]) {
            Random r = new Random(16);
            int ssrc = 0x5151;
            assertEquals(SrtpStatus.BAD_ARGUMENT, out.setRoc(ssrc, 1), "a sender's ROC is never set");
            byte[] last = Packets.rtp(65535, ssrc, 40, r);
            assertEquals(SrtpStatus.OK, out.protectRtp(Packets.direct(last, 256)));
            byte[] wrapped = Packets.rtp(5, ssrc, 40, r);
            ByteBuffer sent = Packets.direct(wrapped, 256);
            assertEquals(SrtpStatus.OK, out.protectRtp(sent), "SEQ 5 after 65535: ROC 1");
            assertEquals(1L, out.roc(ssrc).orElse(-1));
            assertEquals(SrtpStatus.BAD_ARGUMENT, out.setRoc(ssrc, 1), "a sender in use: the window would be reset");
            assertEquals(SrtpStatus.REPLAYED, out.protectRtp(Packets.direct(wrapped, 256)),
                    "the index the refused setRoc would have freed is still used");

            byte[] packet = Packets.bytes(sent);
            if (engine == SrtpEngine.LIBSRTP2) {
                // libsrtp2 cannot set the ROC of a stream it has not seen, and refuses one it has.
                assertEquals(SrtpStatus.UNSUPPORTED, in.setRoc(ssrc, 1));
                return;
            }
            assertEquals(SrtpStatus.OK, in.setRoc(ssrc, 1), "a receiver joining at ROC 1");
            ByteBuffer received = Packets.direct(packet, 256);
            assertEquals(SrtpStatus.OK, in.unprotectRtp(received));
            assertArrayEquals(wrapped, Packets.bytes(received));
            assertEquals(SrtpStatus.BAD_ARGUMENT, in.setRoc(ssrc, 1), "a receiver in use: the window would be reset");
            assertEquals(SrtpStatus.REPLAYED, in.unprotectRtp(Packets.direct(packet, 256)),
                    "the replay window survived the refused setRoc");
        }
    }
}
