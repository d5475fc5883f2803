package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.sipshield.testing.RtpPackets;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SrtpNativeTest {
    private static final Map<String, Object> RFC7714 = TestJson.vectors("rfc7714-sections-16-17-aes-gcm-srtp.json");

    /** The foundation acceptance: one AEAD_AES_128_GCM protect/unprotect against RFC 7714 16.1. */
    @Test
    @Order(1)
    void aeadAes128GcmMatchesRfc7714Section16() {
        Map<String, Object> common = TestJson.obj(RFC7714, "common");
        Object encrypt = TestJson.list(RFC7714, "srtp").get(0);
        assertEquals("AEAD_AES_128_GCM", TestJson.str(encrypt, "suite"));
        byte[] key = TestJson.hex(encrypt, "key");
        byte[] salt = TestJson.hex(common, "salt");
        byte[] packet = TestJson.hex(common, "rtp_packet");
        byte[] expected = TestJson.hex(encrypt, "protected_packet");

        long out = sessionKeys(SrtpNative.SUITE_AEAD_AES_128_GCM, SrtpNative.DIRECTION_OUTBOUND, key, salt);
        long in = sessionKeys(SrtpNative.SUITE_AEAD_AES_128_GCM, SrtpNative.DIRECTION_INBOUND, key, salt);
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(256);
            buf.put(packet);
            int len = SrtpNative.protectRtp(out, buf, 0, packet.length, buf.capacity());
            assertEquals(expected.length, len);
            assertArrayEquals(expected, bytes(buf, 0, len));

            int plain = SrtpNative.unprotectRtp(in, buf, 0, len, buf.capacity());
            assertEquals(packet.length, plain);
            assertArrayEquals(packet, bytes(buf, 0, plain));
        } finally {
            SrtpNative.destroySession(out);
            SrtpNative.destroySession(in);
        }
    }

    @Test
    @Order(2)
    void versionsNameOpenSslAndTheReferenceLibsrtp2() {
        String version = SrtpNative.version();
        System.out.println("native core: " + version + "; reference: " + SrtpNativeTesting.referenceVersion());
        assertTrue(version.startsWith("sipshield-srtp "), version);
        assertTrue(version.contains("OpenSSL 3"), version);
        assertTrue(SrtpNativeTesting.referenceVersion().startsWith("libsrtp2"), SrtpNativeTesting.referenceVersion());
    }

    @Test
    void ourCoreAndLibsrtp2InteroperateOnEveryCommonSuite() {
        int[] suites = {SrtpNative.SUITE_AEAD_AES_128_GCM, SrtpNative.SUITE_AEAD_AES_256_GCM,
            SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_80, SrtpNative.SUITE_AES_CM_128_HMAC_SHA1_32,
            SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_80, SrtpNative.SUITE_AES_256_CM_HMAC_SHA1_32};
        for (int suite : suites) {
            boolean gcm = suite <= SrtpNative.SUITE_AEAD_AES_256_GCM;
            byte[] key = pattern(suite == SrtpNative.SUITE_AEAD_AES_256_GCM || suite >= 4 ? 32 : 16, 3);
            byte[] salt = pattern(gcm ? 12 : 14, 7);
            for (int[] engines : new int[][] {{0, 1}, {1, 0}}) {
                long out = NativeSessions.create(engines[0], suite, SrtpNative.DIRECTION_OUTBOUND, key, salt);
                long in = NativeSessions.create(engines[1], suite, SrtpNative.DIRECTION_INBOUND, key, salt);
                try {
                    ByteBuffer buf = ByteBuffer.allocateDirect(256);
                    byte[] rtp = RtpPackets.g711(0x11223344, 1000);
                    buf.put(rtp);
                    int len = SrtpNative.protectRtp(out, buf, 0, rtp.length, 256);
                    assertTrue(len > rtp.length, "suite " + suite + " protect: " + len);
                    assertEquals(rtp.length, SrtpNative.unprotectRtp(in, buf, 0, len, 256), "suite " + suite);
                    assertArrayEquals(rtp, bytes(buf, 0, rtp.length));

                    byte[] rtcp = Arrays.copyOf(TestJson.hex(TestJson.obj(RFC7714, "common"), "rtcp_packet"), 52);
                    buf.clear();
                    buf.put(rtcp);
                    len = SrtpNative.protectRtcp(out, buf, 0, rtcp.length, 256);
                    assertTrue(len > rtcp.length, "suite " + suite + " protect rtcp: " + len);
                    assertEquals(rtcp.length, SrtpNative.unprotectRtcp(in, buf, 0, len, 256), "suite " + suite);
                    assertArrayEquals(rtcp, bytes(buf, 0, rtcp.length));
                } finally {
                    SrtpNative.destroySession(out);
                    SrtpNative.destroySession(in);
                }
            }
        }
    }

    static long sessionKeys(int suite, int direction, byte[] key, byte[] salt) {
        long h = SrtpNativeTesting.createSessionFromSessionKeys(suite, direction, key, salt, new byte[20], key, salt,
                new byte[20], new byte[0], 128);
        assertTrue(h > 0, "session: status " + -h);
        return h;
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int k = 0; k < n; k++) {
            b[k] = (byte) (seed * 37 + k * 11);
        }
        return b;
    }

    static byte[] bytes(ByteBuffer buf, int off, int len) {
        byte[] b = new byte[len];
        buf.duplicate().position(off).get(b);
        return b;
    }
}
