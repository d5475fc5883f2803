package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.RtpPackets;

/**
 * {@link SrtpNative#processPackets}: many packets, each with its own session and buffer, in one
 * crossing, must answer byte for byte what one call per packet answers, and what libsrtp2 answers,
 * for every suite; per-packet failures (forged tag, replay, bad descriptor) stay per packet.
 */
class ProcessPacketsTest {
    private static final int[] ALL_SUITES = {SrtpNative.SUITE_AEAD_AES_128_GCM, SrtpNative.SUITE_AEAD_AES_256_GCM,
        SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80, SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_32,
        SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_80, SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_32,
        SrtpNative.SUITE_F8_128_HMAC_SHA1_80, SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_80,
        SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_32, SrtpNative.SUITE_AEAD_AES_128_GCM_8};
    private static final byte[] RTCP = Arrays.copyOf(TestJson.hex(TestJson.obj(
            TestJson.vectors("rfc7714-sections-16-17-aes-gcm-srtp.json"), "common"), "rtcp_packet"), 52);
    private static final int SLOT = 256;
    /** Packets per batch: RTP and RTCP of two streams, interleaved, each in its own buffer. */
    private static final int N = 24;

    private static boolean gcm(int suite) {
        return suite <= SrtpNative.SUITE_AEAD_AES_256_GCM || suite == SrtpNative.SUITE_AEAD_AES_128_GCM_8;
    }

    private static int keyLength(int suite) {
        return switch (suite) {
            case SrtpNative.SUITE_AEAD_AES_256_GCM, SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_80,
                    SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_32 -> 32;
            case SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_80, SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_32 -> 24;
            default -> 16;
        };
    }

    private static boolean libsrtp2Has(int suite) {
        return suite <= SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_32 || suite == SrtpNative.SUITE_AEAD_AES_128_GCM_8;
    }

    /** One direction of one leg: a session per engine, same key. */
    private static long session(int engine, int suite, int direction, int seed) {
        return NativeSessions.create(engine, suite, direction, SrtpNativeTest.pattern(keyLength(suite), seed),
                SrtpNativeTest.pattern(gcm(suite) ? 12 : 14, seed + 1));
    }

    private static byte[] packet(int i) {
        return i % 3 == 2 ? RTCP : RtpPackets.g711(0x1000 + (i & 1), 1000 + i);
    }

    private static boolean isRtcp(int i) {
        return i % 3 == 2;
    }

    /** Each packet in its own buffer, at a different offset (like slices of separate receive buffers). */
    private static ByteBuffer[] buffers() {
        ByteBuffer[] b = new ByteBuffer[N];
        for (int i = 0; i < N; i++) {
            b[i] = ByteBuffer.allocateDirect(SLOT + 64);
            b[i].put(offset(i), packet(i));
        }
        return b;
    }

    private static int offset(int i) {
        return (i * 7) % 64;
    }

    /** The same packets through one call each, on another session with the same key. */
    private static int[] oneByOne(long session, boolean protect, ByteBuffer[] buffers, int[] lengths) {
        int[] out = new int[N];
        for (int i = 0; i < N; i++) {
            int off = offset(i);
            out[i] = protect
                    ? (isRtcp(i) ? SrtpNative.protectRtcp(session, buffers[i], off, lengths[i], SLOT)
                            : SrtpNative.protectRtp(session, buffers[i], off, lengths[i], SLOT))
                    : (isRtcp(i) ? SrtpNative.unprotectRtcp(session, buffers[i], off, lengths[i], SLOT)
                            : SrtpNative.unprotectRtp(session, buffers[i], off, lengths[i], SLOT));
        }
        return out;
    }

    private static int batch(long session, boolean protect, ByteBuffer[] buffers, int[] lengths) {
        long[] sessions = new long[N];
        int[] ops = new int[N];
        int[] offsets = new int[N];
        int[] capacities = new int[N];
        for (int i = 0; i < N; i++) {
            sessions[i] = session;
            ops[i] = protect ? (isRtcp(i) ? SrtpNative.OP_PROTECT_RTCP : SrtpNative.OP_PROTECT_RTP)
                    : (isRtcp(i) ? SrtpNative.OP_UNPROTECT_RTCP : SrtpNative.OP_UNPROTECT_RTP);
            offsets[i] = offset(i);
            capacities[i] = SLOT;
        }
        return SrtpNative.processPackets(sessions, ops, buffers, offsets, lengths, capacities, N);
    }

    private static int[] plainLengths() {
        int[] l = new int[N];
        for (int i = 0; i < N; i++) {
            l[i] = packet(i).length;
        }
        return l;
    }

    private static void assertSameBytes(ByteBuffer[] a, ByteBuffer[] b, int[] lengths, String what) {
        for (int i = 0; i < N; i++) {
            assertArrayEquals(SrtpNativeTest.bytes(b[i], offset(i), lengths[i]), SrtpNativeTest.bytes(a[i], offset(i), lengths[i]),
                    what + " packet " + i);
        }
    }

    @Test
    void batchProtectAndUnprotectAreByteIdenticalToOneCallPerPacketAndToLibsrtp2OnEverySuite() {
        for (int suite : ALL_SUITES) {
            int[] engines = libsrtp2Has(suite) ? new int[] {SrtpNative.ENGINE_OPENSSL, SrtpNative.ENGINE_LIBSRTP2}
                    : new int[] {SrtpNative.ENGINE_OPENSSL};
            for (int engine : engines) {
                long batchOut = session(engine, suite, SrtpNative.DIRECTION_OUTBOUND, suite);
                long singleOut = session(engine, suite, SrtpNative.DIRECTION_OUTBOUND, suite);
                // the reference: libsrtp2 where it has the suite, else our core one packet at a time
                int refEngine = libsrtp2Has(suite) ? SrtpNative.ENGINE_LIBSRTP2 : SrtpNative.ENGINE_OPENSSL;
                long refOut = session(refEngine, suite, SrtpNative.DIRECTION_OUTBOUND, suite);
                long batchIn = session(engine, suite, SrtpNative.DIRECTION_INBOUND, suite);
                long refIn = session(refEngine, suite, SrtpNative.DIRECTION_INBOUND, suite);
                String what = "suite " + suite + " engine " + engine;
                try {
                    ByteBuffer[] viaBatch = buffers();
                    ByteBuffer[] viaSingle = buffers();
                    ByteBuffer[] viaRef = buffers();
                    int[] lengths = plainLengths();
                    assertEquals(N, batch(batchOut, true, viaBatch, lengths), what);
                    int[] single = oneByOne(singleOut, true, viaSingle, plainLengths());
                    int[] ref = oneByOne(refOut, true, viaRef, plainLengths());
                    assertArrayEquals(single, lengths, what + " protect lengths");
                    assertArrayEquals(ref, lengths, what + " protect lengths vs reference");
                    assertSameBytes(viaBatch, viaSingle, lengths, what + " protect");
                    for (int i = 0; i < N; i++) {
                        // SRTP output is fixed by key and index; the engines number SRTCP packets from
                        // different starting indexes, so SRTCP is compared by decrypting across below
                        if (!isRtcp(i)) {
                            assertArrayEquals(SrtpNativeTest.bytes(viaRef[i], offset(i), lengths[i]),
                                    SrtpNativeTest.bytes(viaBatch[i], offset(i), lengths[i]), what + " vs reference, packet " + i);
                        }
                    }

                    // across: the reference unprotects the batch's output one by one, the batch the reference's
                    int[] refLengths = oneByOne(refIn, false, viaBatch, lengths.clone());
                    assertEquals(N, batch(batchIn, false, viaRef, ref), what);
                    assertArrayEquals(plainLengths(), ref, what + " unprotect lengths");
                    assertArrayEquals(plainLengths(), refLengths, what + " reference unprotect lengths");
                    for (int i = 0; i < N; i++) {
                        assertArrayEquals(packet(i), SrtpNativeTest.bytes(viaRef[i], offset(i), ref[i]), what + " packet " + i);
                        assertArrayEquals(packet(i), SrtpNativeTest.bytes(viaBatch[i], offset(i), refLengths[i]), what + " packet " + i);
                    }
                } finally {
                    for (long h : new long[] {batchOut, singleOut, refOut, batchIn, refIn}) {
                        SrtpNative.destroySession(h);
                    }
                }
            }
        }
    }

    @Test
    void forgedAndReplayedPacketsFailOnTheirOwnWithTheSameStatusAsOneByOne() {
        for (int suite : ALL_SUITES) {
            int engine = libsrtp2Has(suite) ? SrtpNative.ENGINE_LIBSRTP2 : SrtpNative.ENGINE_OPENSSL;
            long out = session(SrtpNative.ENGINE_OPENSSL, suite, SrtpNative.DIRECTION_OUTBOUND, 40 + suite);
            long batchIn = session(engine, suite, SrtpNative.DIRECTION_INBOUND, 40 + suite);
            long singleIn = session(engine, suite, SrtpNative.DIRECTION_INBOUND, 40 + suite);
            String what = "suite " + suite + " engine " + engine;
            try {
                ByteBuffer[] a = buffers();
                int[] lengths = plainLengths();
                assertEquals(N, batch(out, true, a, lengths), what);
                // packet 4 forged (RTP payload), 8 an SRTCP tag forged, 10 a copy of 1 (a replay inside the batch)
                a[4].put(offset(4) + 20, (byte) (a[4].get(offset(4) + 20) ^ 0x01));
                a[8].put(offset(8) + lengths[8] - 1, (byte) (a[8].get(offset(8) + lengths[8] - 1) ^ 0x80));
                a[10].clear();
                a[10].put(offset(10), SrtpNativeTest.bytes(a[1], offset(1), lengths[1]));
                lengths[10] = lengths[1];
                ByteBuffer[] b = new ByteBuffer[N];
                for (int i = 0; i < N; i++) {
                    b[i] = ByteBuffer.allocateDirect(a[i].capacity());
                    b[i].put(SrtpNativeTest.bytes(a[i], 0, a[i].capacity()));
                }
                int[] single = oneByOne(singleIn, false, b, lengths.clone());
                assertEquals(N - 3, batch(batchIn, false, a, lengths), what);
                assertArrayEquals(single, lengths, what);
                assertEquals(-SrtpNative.STATUS_AUTH_FAILED, lengths[4], what);
                assertEquals(-SrtpNative.STATUS_AUTH_FAILED, lengths[8], what);
                assertEquals(-SrtpNative.STATUS_REPLAYED, lengths[10], what);
                for (int i = 0; i < N; i++) {
                    if (lengths[i] >= 0) {
                        assertArrayEquals(packet(i), SrtpNativeTest.bytes(a[i], offset(i), lengths[i]), what + " packet " + i);
                    }
                }
            } finally {
                SrtpNative.destroySession(out);
                SrtpNative.destroySession(batchIn);
                SrtpNative.destroySession(singleIn);
            }
        }
    }

    @Test
    void aBadDescriptorFailsOnlyItsPacketAndAMalformedCallTouchesNothing() {
        int cm80 = SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80;
        long out = session(SrtpNative.ENGINE_OPENSSL, cm80, SrtpNative.DIRECTION_OUTBOUND, 9);
        long in = session(SrtpNative.ENGINE_OPENSSL, cm80, SrtpNative.DIRECTION_INBOUND, 9);
        try {
            ByteBuffer direct = ByteBuffer.allocateDirect(400);
            direct.put(0, RtpPackets.g711(5, 1));
            direct.put(200, RtpPackets.g711(5, 2));
            ByteBuffer[] buffers = {direct, ByteBuffer.allocate(400), null, direct, direct, direct, direct, direct, direct};
            long[] sessions = {out, out, out, in, 0, out, out, out, out};
            int[] ops = new int[9];
            Arrays.fill(ops, SrtpNative.OP_PROTECT_RTP);
            int[] offsets = {0, 0, 0, 0, 0, -1, 300, 200, 200};
            int[] lengths = {172, 172, 172, 172, 172, 172, 172, 172, 172};
            int[] capacities = {200, 200, 200, 200, 200, 200, 200, 181, 200};
            ops[8] = 99;
            int bad = -SrtpNative.STATUS_BAD_ARGUMENT;
            // 1 heap buffer, 2 null, 3 inbound session asked to protect, 4 no session, 5 negative offset,
            // 6 past the buffer's end, 7 no room for the tag, 8 no such operation
            assertEquals(1, SrtpNative.processPackets(sessions, ops, buffers, offsets, lengths, capacities, 9));
            assertArrayEquals(new int[] {182, bad, bad, bad, bad, bad, bad, -SrtpNative.STATUS_BUFFER_TOO_SMALL, bad}, lengths);

            int[] untouched = {172};
            assertEquals(bad, SrtpNative.processPackets(sessions, ops, buffers, offsets, untouched, capacities, 2));
            assertEquals(bad, SrtpNative.processPackets(null, ops, buffers, offsets, untouched, capacities, 1));
            assertEquals(bad, SrtpNative.processPackets(sessions, ops, buffers, offsets, untouched, capacities, -1));
            assertEquals(bad, SrtpNative.processPackets(new long[SrtpNative.MAX_BATCH + 1], new int[SrtpNative.MAX_BATCH + 1],
                    new ByteBuffer[SrtpNative.MAX_BATCH + 1], new int[SrtpNative.MAX_BATCH + 1], new int[SrtpNative.MAX_BATCH + 1],
                    new int[SrtpNative.MAX_BATCH + 1], SrtpNative.MAX_BATCH + 1));
            assertArrayEquals(new int[] {172}, untouched);
            assertEquals(0, SrtpNative.processPackets(sessions, ops, buffers, offsets, untouched, capacities, 0));
        } finally {
            SrtpNative.destroySession(out);
            SrtpNative.destroySession(in);
        }
    }

    @Test
    void aFullBatchOfAThousandPacketsFitsTheLocalReferenceFrame() {
        int n = SrtpNative.MAX_BATCH;
        int gcm = SrtpNative.SUITE_AEAD_AES_128_GCM;
        long out = session(SrtpNative.ENGINE_OPENSSL, gcm, SrtpNative.DIRECTION_OUTBOUND, 11);
        long in = session(SrtpNative.ENGINE_LIBSRTP2, gcm, SrtpNative.DIRECTION_INBOUND, 11);
        try {
            ByteBuffer[] buffers = new ByteBuffer[n];
            long[] sessions = new long[n];
            int[] ops = new int[n];
            int[] offsets = new int[n];
            int[] lengths = new int[n];
            int[] capacities = new int[n];
            for (int i = 0; i < n; i++) {
                buffers[i] = ByteBuffer.allocateDirect(SLOT);
                buffers[i].put(RtpPackets.g711(77, i));
                sessions[i] = out;
                ops[i] = SrtpNative.OP_PROTECT_RTP;
                lengths[i] = 172;
                capacities[i] = SLOT;
            }
            assertEquals(n, SrtpNative.processPackets(sessions, ops, buffers, offsets, lengths, capacities, n));
            Arrays.fill(sessions, in);
            Arrays.fill(ops, SrtpNative.OP_UNPROTECT_RTP);
            assertEquals(n, SrtpNative.processPackets(sessions, ops, buffers, offsets, lengths, capacities, n));
            for (int i = 0; i < n; i += 97) {
                assertArrayEquals(RtpPackets.g711(77, i), SrtpNativeTest.bytes(buffers[i], 0, 172));
            }
        } finally {
            SrtpNative.destroySession(out);
            SrtpNative.destroySession(in);
        }
    }
}
