package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch of packets of several sessions, each in its own buffer, gives every packet the result,
 * bytes and counters of the session's single-packet call, on every engine and suite.
 */
class SrtpPacketBatchTest {
    private static final int ROOM = 256;

    /** Two legs' sessions per engine: what leg A sends (unprotected by us) and what we send leg B. */
    private record Legs(SrtpSession aOut, SrtpSession aIn, SrtpSession bOut, SrtpSession bIn) {
        void close() {
            aOut.close();
            aIn.close();
            bOut.close();
            bIn.close();
        }
    }

    private static Legs legs(SrtpEngine engine, CryptoSuite suite, long seed) {
        Random r = new Random(seed);
        byte[] ka = Packets.random(r, suite.masterKeyLength());
        byte[] sa = Packets.random(r, suite.masterSaltLength());
        byte[] kb = Packets.random(r, suite.masterKeyLength());
        byte[] sb = Packets.random(r, suite.masterSaltLength());
        return new Legs(SrtpSession.open(engine, SrtpDirection.OUTBOUND, SrtpMasterKey.of(suite, ka, sa)),
                SrtpSession.open(engine, SrtpDirection.INBOUND, SrtpMasterKey.of(suite, ka, sa)),
                SrtpSession.open(engine, SrtpDirection.OUTBOUND, SrtpMasterKey.of(suite, kb, sb)),
                SrtpSession.open(engine, SrtpDirection.INBOUND, SrtpMasterKey.of(suite, kb, sb)));
    }

    private static byte[] packet(int i, Random r) {
        return i % 4 == 3 ? Packets.rtcp(0x5000 + i, 40, r) : Packets.rtp(65530 + i, 0x4000 + (i & 1), 160, r);
    }

    private static boolean rtcp(int i) {
        return i % 4 == 3;
    }

    /** Packet i of a batch sits in its own buffer at an offset of its own. */
    private static ByteBuffer place(byte[] p, int i) {
        ByteBuffer b = ByteBuffer.allocateDirect(ROOM + 32);
        b.put(i % 32, p);
        return b;
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void reKeyingABatchEqualsOneCallPerPacketOnEveryEngine(CryptoSuite suite) {
        for (SrtpEngine engine : SrtpEngine.values()) {
            if (!engine.supports(suite)) {
                continue;
            }
            Legs batched = legs(engine, suite, suite.ordinal());
            Legs single = legs(engine, suite, suite.ordinal());
            try {
                int n = 16;
                Random r = new Random(3);
                byte[][] plain = new byte[n][];
                ByteBuffer[] wire = new ByteBuffer[n];
                ByteBuffer[] wireCopy = new ByteBuffer[n];
                int[] wireLength = new int[n];
                for (int i = 0; i < n; i++) {
                    plain[i] = packet(i, r);
                    wire[i] = place(plain[i], i).position(i % 32).limit(i % 32 + plain[i].length);
                    assertEquals(SrtpStatus.OK, rtcp(i) ? batched.aOut().protectRtcp(wire[i]) : batched.aOut().protectRtp(wire[i]));
                    wireLength[i] = wire[i].remaining();
                    wireCopy[i] = place(Packets.bytes(wire[i]), i);
                }
                wire[5].put(i(5) + 30, (byte) (wire[5].get(i(5) + 30) ^ 4));  // forged
                wireCopy[5].put(i(5) + 30, (byte) (wireCopy[5].get(i(5) + 30) ^ 4));

                // the relay's two steps: unprotect leg A's packets, then protect them for leg B
                SrtpPacketBatch batch = new SrtpPacketBatch(n);
                for (int i = 0; i < n; i++) {
                    batch.add(batched.aIn(), rtcp(i) ? SrtpOperation.UNPROTECT_RTCP : SrtpOperation.UNPROTECT_RTP, wire[i], i(i),
                            wireLength[i], wireLength[i]);
                }
                assertEquals(n - 1, batch.process());
                int[] plainLength = new int[n];
                for (int i = 0; i < n; i++) {
                    ByteBuffer one = wireCopy[i].clear().position(i(i)).limit(i(i) + wireLength[i]);
                    SrtpStatus expected = rtcp(i) ? single.aIn().unprotectRtcp(one) : single.aIn().unprotectRtp(one);
                    assertEquals(expected, batch.status(i), engine + " packet " + i);
                    assertEquals(expected == SrtpStatus.OK ? one.remaining() : -1, batch.length(i));
                    plainLength[i] = batch.length(i);
                }
                assertEquals(SrtpStatus.AUTH_FAILED, batch.status(5));
                batch.clear();
                for (int i = 0; i < n; i++) {
                    if (plainLength[i] >= 0) {
                        batch.add(batched.bOut(), rtcp(i) ? SrtpOperation.PROTECT_RTCP : SrtpOperation.PROTECT_RTP, wire[i], i(i),
                                plainLength[i], ROOM);
                    }
                }
                assertEquals(n - 1, batch.process());
                for (int i = 0, k = 0; i < n; i++) {
                    if (plainLength[i] < 0) {
                        continue;
                    }
                    ByteBuffer one = wireCopy[i].clear().position(i(i)).limit(i(i) + plainLength[i]);
                    assertEquals(SrtpStatus.OK, rtcp(i) ? single.bOut().protectRtcp(one) : single.bOut().protectRtp(one));
                    assertEquals(one.remaining(), batch.length(k), engine + " packet " + i);
                    byte[] got = new byte[batch.length(k)];
                    wire[i].get(i(i), got);
                    assertArrayEquals(Packets.bytes(one), got, engine + " " + suite + " packet " + i);
                    // and leg B's phone gets the packet leg A's phone sent
                    ByteBuffer atB = place(got, i).position(i(i)).limit(i(i) + got.length);
                    assertEquals(SrtpStatus.OK, rtcp(i) ? batched.bIn().unprotectRtcp(atB) : batched.bIn().unprotectRtp(atB));
                    assertArrayEquals(plain[i], Packets.bytes(atB));
                    k++;
                }
                assertEquals(single.aIn().counters().toString(), batched.aIn().counters().toString());
                assertEquals(single.bOut().counters().toString(), batched.bOut().counters().toString());
            } finally {
                batched.close();
                single.close();
            }
        }
    }

    private static int i(int i) {
        return i % 32;
    }

    @ParameterizedTest
    @EnumSource(SrtpEngine.class)
    void aReplayInsideTheBatchAndHeapBuffersAreHandledInOrder(SrtpEngine engine) {
        CryptoSuite suite = CryptoSuite.AES_CM_128_HMAC_SHA1_80;
        Legs legs = legs(engine, suite, 77);
        try {
            Random r = new Random(4);
            byte[] p = Packets.rtp(9, 1, 160, r);
            ByteBuffer b = Packets.direct(p, ROOM);
            assertEquals(SrtpStatus.OK, legs.aOut().protectRtp(b));
            byte[] wire = Packets.bytes(b);
            ByteBuffer heap = ByteBuffer.allocate(ROOM);
            heap.put(wire);
            SrtpPacketBatch batch = new SrtpPacketBatch(4);
            batch.add(legs.aIn(), SrtpOperation.UNPROTECT_RTP, Packets.direct(wire, ROOM), 0, wire.length, wire.length);
            batch.add(legs.aIn(), SrtpOperation.UNPROTECT_RTP, heap, 0, wire.length, wire.length);
            assertEquals(1, batch.process());
            assertEquals(SrtpStatus.OK, batch.status(0));
            assertEquals(SrtpStatus.REPLAYED, batch.status(1));
            assertEquals(1, legs.aIn().counters().count(SrtpStatus.REPLAYED));
        } finally {
            legs.close();
        }
    }

    @Test
    void keyLifetimeClosedSessionsAndMisuseAreAnsweredNotCrashed() {
        CryptoSuite suite = CryptoSuite.AEAD_AES_128_GCM;
        Random r = new Random(5);
        byte[] key = Packets.random(r, suite.masterKeyLength());
        byte[] salt = Packets.random(r, suite.masterSaltLength());
        SrtpSession out = SrtpSession.open(SrtpEngine.OPENSSL, SrtpDirection.OUTBOUND, SrtpMasterKey.of(suite, key, salt),
                SrtpSessionOptions.DEFAULTS.withKeyLifetime(2));
        SrtpSession other = SrtpSession.open(SrtpEngine.OPENSSL, SrtpDirection.OUTBOUND, SrtpMasterKey.of(suite, key, salt));
        try {
            SrtpPacketBatch batch = new SrtpPacketBatch(8);
            ByteBuffer[] bufs = new ByteBuffer[4];
            for (int i = 0; i < 3; i++) {
                bufs[i] = Packets.direct(Packets.rtp(i, 3, 160, r), ROOM);
                batch.add(out, SrtpOperation.PROTECT_RTP, bufs[i], 0, 172, ROOM);
            }
            bufs[3] = Packets.direct(Packets.rtp(7, 3, 160, r), ROOM);
            batch.add(other, SrtpOperation.PROTECT_RTP, bufs[3], 0, 172, ROOM);
            other.close();  // closed between add and process: its handle is never used
            assertEquals(2, batch.process());
            assertEquals(SrtpStatus.OK, batch.status(1));
            assertEquals(SrtpStatus.INDEX_EXHAUSTED, batch.status(2));  // the lifetime counts the batch's own packets
            assertEquals(SrtpStatus.SESSION_CLOSED, batch.status(3));
            assertEquals(2, out.counters().ok());
            assertThrows(IllegalStateException.class, batch::process);
            assertThrows(IllegalStateException.class, () -> batch.add(out, SrtpOperation.PROTECT_RTP, bufs[0], 0, 172, ROOM));
            batch.clear();
            assertThrows(IndexOutOfBoundsException.class, () -> batch.status(0));
            assertThrows(IllegalArgumentException.class, () -> batch.add(out, SrtpOperation.UNPROTECT_RTP, bufs[0], 0, 172, ROOM));
            assertThrows(IllegalArgumentException.class, () -> batch.add(out, SrtpOperation.PROTECT_RTP, bufs[0], 100, 172, ROOM));
            assertThrows(IllegalArgumentException.class, () -> batch.add(out, SrtpOperation.PROTECT_RTP, bufs[0], 0, 172, 171));
            assertEquals(SrtpStatus.INDEX_EXHAUSTED, out.protectRtp(bufs[0].clear().limit(172)));
        } finally {
            out.close();
        }
    }
}
