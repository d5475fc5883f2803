package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Property tests over randomized packets (fixed seeds: deterministic): for every suite, every
 * engine's outbound packets are byte-identical, and every inbound engine accepts every outbound
 * engine's packets, across sequence-number wrap and ROC increments, with reordering inside the
 * replay window; replays, stale packets and tampering are rejected everywhere.
 */
class SrtpCrossEngineTest {
    private static final int PACKETS = 300;

    private static List<SrtpEngine> engines(CryptoSuite suite) {
        List<SrtpEngine> out = new ArrayList<>();
        for (SrtpEngine e : SrtpEngine.values()) {
            if (e.supports(suite)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Map<SrtpEngine, SrtpSession> open(CryptoSuite suite, SrtpDirection dir, byte[] key, byte[] salt,
            SrtpSessionOptions options) {
        Map<SrtpEngine, SrtpSession> m = new EnumMap<>(SrtpEngine.class);
        for (SrtpEngine e : engines(suite)) {
            m.put(e, SrtpSession.open(e, dir, SrtpMasterKey.of(suite, key, salt), options));
        }
        return m;
    }

    private static void closeAll(Map<SrtpEngine, SrtpSession> sessions) {
        sessions.values().forEach(SrtpSession::close);
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void rtpIsIdenticalAndInteroperableAcrossEnginesThroughSequenceWrap(CryptoSuite suite) {
        runRtp(suite, SrtpSessionOptions.DEFAULTS, suite.ordinal() * 1000L + 1);
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void rtpWithMkiIsIdenticalAndInteroperable(CryptoSuite suite) {
        runRtp(suite, SrtpSessionOptions.DEFAULTS.withMki(Mki.of(0x01020304L, 4)).withReplayWindow(256),
                suite.ordinal() * 1000L + 2);
    }

    private static void runRtp(CryptoSuite suite, SrtpSessionOptions options, long seed) {
        Random r = new Random(seed);
        byte[] key = Packets.random(r, suite.masterKeyLength());
        byte[] salt = Packets.random(r, suite.masterSaltLength());
        Map<SrtpEngine, SrtpSession> out = open(suite, SrtpDirection.OUTBOUND, key, salt, options);
        Map<SrtpEngine, Map<SrtpEngine, SrtpSession>> in = new EnumMap<>(SrtpEngine.class);
        for (SrtpEngine sender : out.keySet()) {
            in.put(sender, open(suite, SrtpDirection.INBOUND, key, salt, options));
        }
        try {
            int ssrc = r.nextInt();
            int seq = 65536 - 150 + r.nextInt(50);  // wraps within the run: ROC 0 -> 1
            List<byte[]> clear = new ArrayList<>();
            List<Map<SrtpEngine, byte[]>> sent = new ArrayList<>();
            for (int i = 0; i < PACKETS; i++) {
                byte[] packet = Packets.rtp(seq & 0xffff, ssrc, r.nextInt(3), r.nextInt(4) == 0, r.nextInt(300), r);
                seq++;
                clear.add(packet);
                Map<SrtpEngine, byte[]> protectedBy = new EnumMap<>(SrtpEngine.class);
                for (Map.Entry<SrtpEngine, SrtpSession> e : out.entrySet()) {
                    ByteBuffer b = Packets.direct(packet, packet.length + 200);
                    assertEquals(SrtpStatus.OK, e.getValue().protectRtp(b), e.getKey() + " packet " + i);
                    protectedBy.put(e.getKey(), Packets.bytes(b));
                }
                byte[] reference = protectedBy.get(SrtpEngine.OPENSSL);
                assertEquals(packet.length + out.get(SrtpEngine.OPENSSL).maxOverhead(SrtpOperation.PROTECT_RTP), reference.length);
                protectedBy.forEach((engine, bytes) -> assertArrayEquals(reference, bytes, engine + " differs from OPENSSL"));
                sent.add(protectedBy);
            }
            for (SrtpEngine e : out.keySet()) {
                assertEquals(1L, out.get(e).roc(ssrc).orElse(-1), e + " sender ROC after the wrap");
            }
            // Deliver with local reordering (swap neighbours), as a network would.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < PACKETS; i++) {
                order.add(i);
            }
            for (int i = 0; i + 1 < PACKETS; i += 2 + r.nextInt(3)) {
                order.set(i, i + 1);
                order.set(i + 1, i);
            }
            for (SrtpEngine sender : out.keySet()) {
                for (Map.Entry<SrtpEngine, SrtpSession> receiver : in.get(sender).entrySet()) {
                    SrtpSession session = receiver.getValue();
                    String route = sender + " -> " + receiver.getKey() + " " + suite;
                    for (int i : order) {
                        ByteBuffer b = Packets.direct(sent.get(i).get(sender), 2048);
                        assertEquals(SrtpStatus.OK, session.unprotectRtp(b), route + " packet " + i);
                        assertArrayEquals(clear.get(i), Packets.bytes(b), route + " packet " + i);
                    }
                    assertEquals(1L, session.roc(ssrc).orElse(-1), route + " receiver ROC");
                    // replays: the last packet, and one far older than the window
                    assertEquals(SrtpStatus.REPLAYED, session.unprotectRtp(Packets.direct(sent.get(PACKETS - 1).get(sender), 2048)), route);
                    assertEquals(SrtpStatus.REPLAYED, session.unprotectRtp(Packets.direct(sent.get(0).get(sender), 2048)), route);
                    assertEquals(PACKETS, session.counters().ok());
                    assertEquals(2, session.counters().count(SrtpStatus.REPLAYED));
                }
            }
        } finally {
            closeAll(out);
            in.values().forEach(SrtpCrossEngineTest::closeAll);
        }
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void tamperingAnyAuthenticatedOctetOrTheTagFailsOnEveryEngine(CryptoSuite suite) {
        Random r = new Random(suite.ordinal() + 77);
        byte[] key = Packets.random(r, suite.masterKeyLength());
        byte[] salt = Packets.random(r, suite.masterSaltLength());
        Map<SrtpEngine, SrtpSession> out = open(suite, SrtpDirection.OUTBOUND, key, salt, SrtpSessionOptions.DEFAULTS);
        Map<SrtpEngine, SrtpSession> in = open(suite, SrtpDirection.INBOUND, key, salt, SrtpSessionOptions.DEFAULTS);
        try {
            SrtpSession sender = out.get(SrtpEngine.OPENSSL);
            for (int i = 0; i < 40; i++) {
                byte[] packet = Packets.rtp(1000 + i, 0x5151, 0, false, 20 + r.nextInt(160), r);
                ByteBuffer b = Packets.direct(packet, 512);
                assertEquals(SrtpStatus.OK, sender.protectRtp(b));
                byte[] good = Packets.bytes(b);
                byte[] bad = good.clone();
                int at = r.nextInt(bad.length);
                bad[at] ^= (byte) (1 << r.nextInt(8));
                for (Map.Entry<SrtpEngine, SrtpSession> e : in.entrySet()) {
                    SrtpStatus st = e.getValue().unprotectRtp(Packets.direct(bad, 512));
                    // a flipped header bit may also make the packet unparseable or look like a replay
                    assertTrue(st == SrtpStatus.AUTH_FAILED || (at < 12 && st != SrtpStatus.OK),
                            e.getKey() + " accepted a packet with octet " + at + " flipped: " + st);
                    assertEquals(SrtpStatus.OK, e.getValue().unprotectRtp(Packets.direct(good, 512)), e.getKey().toString());
                }
            }
            for (SrtpSession s : in.values()) {
                assertTrue(s.counters().count(SrtpStatus.AUTH_FAILED) > 0, s + ": " + s.counters());
            }
        } finally {
            closeAll(out);
            closeAll(in);
        }
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void srtcpInteroperatesAcrossEnginesAndRejectsReplayAndTampering(CryptoSuite suite) {
        runRtcp(suite, SrtpSessionOptions.DEFAULTS, 4000);
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void srtcpWithMkiInteroperatesAcrossEngines(CryptoSuite suite) {
        runRtcp(suite, SrtpSessionOptions.DEFAULTS.withMki(Mki.of(0xabcdef, 3)), 5000);
    }

    private static void runRtcp(CryptoSuite suite, SrtpSessionOptions options, int seed) {
        Random r = new Random(suite.ordinal() + seed);
        byte[] key = Packets.random(r, suite.masterKeyLength());
        byte[] salt = Packets.random(r, suite.masterSaltLength());
        Map<SrtpEngine, SrtpSession> out = open(suite, SrtpDirection.OUTBOUND, key, salt, options);
        try {
            int ssrc = r.nextInt();
            List<byte[]> clear = new ArrayList<>();
            Map<SrtpEngine, List<byte[]>> sent = new EnumMap<>(SrtpEngine.class);
            out.keySet().forEach(e -> sent.put(e, new ArrayList<>()));
            for (int i = 0; i < 50; i++) {
                byte[] packet = Packets.rtcp(ssrc, 8 + 4 * r.nextInt(40), r);
                clear.add(packet);
                for (Map.Entry<SrtpEngine, SrtpSession> e : out.entrySet()) {
                    ByteBuffer b = Packets.direct(packet, packet.length + 64);
                    assertEquals(SrtpStatus.OK, e.getValue().protectRtcp(b), e.getKey().toString());
                    sent.get(e.getKey()).add(Packets.bytes(b));
                }
                // libsrtp2 numbers SRTCP from 1, RFC 3711 3.4 (and we) from 0: only ours and Java compare.
                assertArrayEquals(sent.get(SrtpEngine.OPENSSL).get(i), sent.get(SrtpEngine.JAVA).get(i));
            }
            assertEquals(0x80000000, srtcpWord(suite, options, sent.get(SrtpEngine.OPENSSL).get(0)));
            if (sent.containsKey(SrtpEngine.LIBSRTP2)) {
                assertEquals(0x80000001, srtcpWord(suite, options, sent.get(SrtpEngine.LIBSRTP2).get(0)));
            }
            for (SrtpEngine sender : out.keySet()) {
                ByteBuffer fresh = Packets.direct(Packets.rtcp(ssrc, 40, r), 128);
                assertEquals(SrtpStatus.OK, out.get(sender).protectRtcp(fresh));
                byte[] good = Packets.bytes(fresh);
                Map<SrtpEngine, SrtpSession> in = open(suite, SrtpDirection.INBOUND, key, salt, options);
                try {
                    for (Map.Entry<SrtpEngine, SrtpSession> receiver : in.entrySet()) {
                        String route = sender + " -> " + receiver.getKey() + " " + suite;
                        if (receiver.getKey() == SrtpEngine.LIBSRTP2 && libsrtp2MisplacesSrtcpMki(suite, options)) {
                            // libsrtp2 2.5.0 looks for the SRTCP MKI one SRTP tag (4) before the end
                            // instead of one SRTCP tag (10): cisco/libsrtp#733, fixed after 2.5.0.
                            assertEquals(SrtpStatus.BAD_MKI, receiver.getValue().unprotectRtcp(
                                    Packets.direct(sent.get(sender).get(0), 512)), route);
                            continue;
                        }
                        for (int i = 0; i < clear.size(); i++) {
                            ByteBuffer b = Packets.direct(sent.get(sender).get(i), 512);
                            assertEquals(SrtpStatus.OK, receiver.getValue().unprotectRtcp(b), route + " " + i);
                            assertArrayEquals(clear.get(i), Packets.bytes(b), route);
                        }
                        assertEquals(SrtpStatus.REPLAYED,
                                receiver.getValue().unprotectRtcp(Packets.direct(sent.get(sender).get(49), 512)), route);
                        byte[] bad = good.clone();
                        bad[9] ^= 0x40;
                        assertEquals(SrtpStatus.AUTH_FAILED, receiver.getValue().unprotectRtcp(Packets.direct(bad, 512)), route);
                        assertEquals(SrtpStatus.OK, receiver.getValue().unprotectRtcp(Packets.direct(good, 512)), route);
                    }
                } finally {
                    closeAll(in);
                }
            }
        } finally {
            closeAll(out);
        }
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void severalSsrcsInOneSessionKeepTheirOwnStateOnEveryEngine(CryptoSuite suite) {
        Random r = new Random(suite.ordinal() + 6000);
        byte[] key = Packets.random(r, suite.masterKeyLength());
        byte[] salt = Packets.random(r, suite.masterSaltLength());
        Map<SrtpEngine, SrtpSession> out = open(suite, SrtpDirection.OUTBOUND, key, salt, SrtpSessionOptions.DEFAULTS);
        Map<SrtpEngine, SrtpSession> in = open(suite, SrtpDirection.INBOUND, key, salt, SrtpSessionOptions.DEFAULTS);
        try {
            int[] ssrcs = {0x1111, 0x2222, 0x3333};
            int[] seqs = {65530, 100, 40000};
            for (int i = 0; i < 60; i++) {
                int k = r.nextInt(3);
                byte[] packet = Packets.rtp(seqs[k]++ & 0xffff, ssrcs[k], 0, false, 60, r);
                byte[] reference = null;
                for (Map.Entry<SrtpEngine, SrtpSession> e : out.entrySet()) {
                    ByteBuffer b = Packets.direct(packet, 256);
                    assertEquals(SrtpStatus.OK, e.getValue().protectRtp(b));
                    byte[] bytes = Packets.bytes(b);
                    if (reference == null) {
                        reference = bytes;
                    }
                    assertArrayEquals(reference, bytes, e.getKey() + " ssrc " + ssrcs[k]);
                    for (SrtpSession receiver : in.values()) {
                        if (e.getKey() == SrtpEngine.OPENSSL) {
                            ByteBuffer copy = Packets.direct(bytes, 256);
                            assertEquals(SrtpStatus.OK, receiver.unprotectRtp(copy), receiver + " ssrc " + ssrcs[k]);
                            assertArrayEquals(packet, Packets.bytes(copy));
                        }
                    }
                }
            }
            for (SrtpSession s : in.values()) {
                assertEquals(seqs[0] > 65536 ? 1L : 0L, s.roc(0x1111).orElse(-1), s.toString());
                assertEquals(0L, s.roc(0x2222).orElse(-1), s.toString());
                assertTrue(s.roc(0x4444).isEmpty());
            }
        } finally {
            closeAll(out);
            closeAll(in);
        }
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void batchesMatchSinglePacketCallsOnEveryEngine(CryptoSuite suite) {
        Random r = new Random(suite.ordinal() + 9000);
        byte[] key = Packets.random(r, suite.masterKeyLength());
        byte[] salt = Packets.random(r, suite.masterSaltLength());
        Map<SrtpEngine, SrtpSession> single = open(suite, SrtpDirection.OUTBOUND, key, salt, SrtpSessionOptions.DEFAULTS);
        Map<SrtpEngine, SrtpSession> batched = open(suite, SrtpDirection.OUTBOUND, key, salt, SrtpSessionOptions.DEFAULTS);
        Map<SrtpEngine, SrtpSession> in = open(suite, SrtpDirection.INBOUND, key, salt, SrtpSessionOptions.DEFAULTS);
        try {
            for (SrtpEngine e : single.keySet()) {
                SrtpBatch batch = new SrtpBatch(32, 256);
                Random pr = new Random(5);
                List<byte[]> expected = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    byte[] p = Packets.rtp(65520 + i, 77, 160, pr);  // wraps inside the batch
                    batch.slot(i).clear().put(p);
                    batch.add(p.length);
                    ByteBuffer b = Packets.direct(p, 256);
                    assertEquals(SrtpStatus.OK, single.get(e).protectRtp(b));
                    expected.add(Packets.bytes(b));
                }
                assertEquals(32, batched.get(e).process(SrtpOperation.PROTECT_RTP, batch), e.toString());
                for (int i = 0; i < 32; i++) {
                    assertEquals(SrtpStatus.OK, batch.status(i));
                    byte[] got = new byte[batch.length(i)];
                    batch.slot(i).clear().get(got);
                    assertArrayEquals(expected.get(i), got, e + " packet " + i);
                }
                assertEquals(1L, batched.get(e).roc(77).orElse(-1));
                // the wrong operation for the session's direction is refused, packet by packet
                assertEquals(0, in.get(e).process(SrtpOperation.PROTECT_RTP, batch));
                assertEquals(SrtpStatus.BAD_ARGUMENT, batch.status(0));
            }
        } finally {
            closeAll(single);
            closeAll(batched);
            closeAll(in);
        }
    }

    private static boolean libsrtp2MisplacesSrtcpMki(CryptoSuite suite, SrtpSessionOptions options) {
        return options.mki().isPresent() && suite.srtpAuthTagLength() != suite.srtcpAuthTagLength();
    }

    private static int srtcpWord(CryptoSuite suite, SrtpSessionOptions options, byte[] srtcp) {
        int mki = options.mki().map(Mki::length).orElse(0);
        int at = srtcp.length - 4 - mki - (suite.isAead() ? 0 : suite.srtcpAuthTagLength());
        return ByteBuffer.wrap(srtcp, at, 4).getInt();
    }
}
