package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.RtpPackets;

/**
 * What protection appends is exactly each suite's trailer (tag lengths as the RFCs give them, not
 * as the core's table does): written in full, nothing past it, and libsrtp2 accepts the result.
 * The GCM suite with 8-octet tags is the one where a tag length hard-coded to 16 wrote 8 octets
 * past the packet and then could not verify its own packets.
 */
class TrailerTest {
    private static final byte CANARY = (byte) 0xa5;
    private static final byte[] RTCP = Arrays.copyOf(TestJson.hex(TestJson.obj(
            TestJson.vectors("rfc7714-sections-16-17-aes-gcm-srtp.json"), "common"), "rtcp_packet"), 52);

    /** suite, key length, salt length, SRTP tag, SRTCP tag (RFC 7714 14.2, RFC 3711, RFC 4568 6.2, RFC 6188). */
    private static final int[][] SUITES = {
        {SrtpNative.SUITE_AEAD_AES_128_GCM, 16, 12, 16, 16},
        {SrtpNative.SUITE_AEAD_AES_256_GCM, 32, 12, 16, 16},
        {SrtpNative.SUITE_AEAD_AES_128_GCM_8, 16, 12, 8, 8},
        {SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80, 16, 14, 10, 10},
        {SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_32, 16, 14, 4, 10},
        {SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_80, 32, 14, 10, 10},
        {SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_32, 32, 14, 4, 10},
        {SrtpNative.SUITE_F8_128_HMAC_SHA1_80, 16, 14, 10, 10},
        {SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_80, 24, 14, 10, 10},
        {SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_32, 24, 14, 4, 10},
    };

    @Test
    void protectionAppendsExactlyTheSuitesTrailerAndTheReferenceAcceptsIt() {
        for (int[] row : SUITES) {
            int suite = row[0];
            byte[] key = SrtpNativeTest.pattern(row[1], 3);
            byte[] salt = SrtpNativeTest.pattern(row[2], 4);
            // Debian's libsrtp2 has no f8 and (through OpenSSL) no AES-192: our own core checks those.
            boolean reference = suite != SrtpNative.SUITE_F8_128_HMAC_SHA1_80
                    && suite != SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_80 && suite != SrtpNative.SUITE_AES_192_CM_HMAC_SHA1_32;
            long out = NativeSessions.create(SrtpNative.ENGINE_OPENSSL, suite, SrtpNative.DIRECTION_OUTBOUND, key, salt);
            long in = NativeSessions.create(reference ? SrtpNative.ENGINE_LIBSRTP2 : SrtpNative.ENGINE_OPENSSL, suite,
                    SrtpNative.DIRECTION_INBOUND, key, salt);
            try {
                byte[] rtp = RtpPackets.g711(0x7777, 42);
                check(out, in, false, rtp, row[3], "suite " + suite + " SRTP");
                check(out, in, true, RTCP, row[4] + 4, "suite " + suite + " SRTCP");
            } finally {
                SrtpNative.destroySession(out);
                SrtpNative.destroySession(in);
            }
        }
    }

    /** Capacity is exactly packet + trailer; canaries fill the buffer after it. */
    private static void check(long out, long in, boolean rtcp, byte[] packet, int trailer, String what) {
        ByteBuffer b = ByteBuffer.allocateDirect(512);
        byte[] fill = new byte[512];
        Arrays.fill(fill, CANARY);
        b.put(fill).clear().put(packet);
        int cap = packet.length + trailer;
        int len = rtcp ? SrtpNative.protectRtcp(out, b, 0, packet.length, cap)
                : SrtpNative.protectRtp(out, b, 0, packet.length, cap);
        assertEquals(cap, len, what + " protected length");
        byte[] after = SrtpNativeTest.bytes(b, cap, 512 - cap);
        byte[] canaries = new byte[after.length];
        Arrays.fill(canaries, CANARY);
        assertArrayEquals(canaries, after, what + ": nothing written past the trailer");
        int plain = rtcp ? SrtpNative.unprotectRtcp(in, b, 0, len, 512) : SrtpNative.unprotectRtp(in, b, 0, len, 512);
        assertEquals(packet.length, plain, what + " unprotected by the reference");
        assertArrayEquals(packet, SrtpNativeTest.bytes(b, 0, plain), what);
        if (!rtcp) {
            assertEquals(-SrtpNative.STATUS_BUFFER_TOO_SMALL, SrtpNative.protectRtp(out,
                    ByteBuffer.allocateDirect(512).put(RtpPackets.g711(0x7777, 43)), 0, packet.length, cap - 1),
                    what + ": one octet short");
        }
    }
}
