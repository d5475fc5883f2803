package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sipshield.jni.TestJson.hex;
import static org.sipshield.jni.TestJson.list;
import static org.sipshield.jni.TestJson.obj;
import static org.sipshield.jni.TestJson.str;

import org.sipshield.jni.TestJson;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.sipshield.jni.SrtpNative;
import org.sipshield.jni.SrtpNativeTesting;

/**
 * Every vector of testdata/vectors on every engine where it applies. The vectors that start from
 * session keys (RFC 3711 B.1/B.2, RFC 6188 7.1/7.3, RFC 7714) run on OPENSSL and JAVA through the
 * test-only session-key factory; libsrtp2 always derives keys itself, so it meets those vectors
 * through the key-derivation vectors (B.3, RFC 6188 7.2) below and through the cross-engine
 * property tests, where its packets must equal ours byte for byte.
 */
class SrtpVectorTest {
    private static final Map<String, Object> RFC3711 = TestJson.vectors("rfc3711-appendix-B-srtp.json");
    private static final Map<String, Object> RFC6188 = TestJson.vectors("rfc6188-section-7-aes192-aes256.json");
    private static final Map<String, Object> RFC7714 = TestJson.vectors("rfc7714-sections-16-17-aes-gcm-srtp.json");
    private static final byte[] ANY_AUTH = new byte[20];

    enum KeyedEngine { OPENSSL, JAVA }

    private static SrtpSession sessionKeys(KeyedEngine engine, SrtpDirection dir, CryptoSuite suite, byte[] key, byte[] salt) {
        return SessionKeys.open(SrtpEngine.valueOf(engine.name()), dir, suite, key, salt, ANY_AUTH, key,
                salt, ANY_AUTH, SrtpSessionOptions.DEFAULTS);
    }

    private static CryptoSuite suite(Object vector) {
        return CryptoSuite.fromSdesName(str(vector, "suite")).orElseThrow();
    }

    // ---------- RFC 7714 ----------

    @ParameterizedTest
    @EnumSource(KeyedEngine.class)
    void rfc7714SrtpEncryptionAndDecryption(KeyedEngine engine) {
        byte[] salt = hex(obj(RFC7714, "common"), "salt");
        byte[] packet = hex(obj(RFC7714, "common"), "rtp_packet");
        int checked = 0;
        for (Object v : list(RFC7714, "srtp")) {
            String section = str(v, "section");
            CryptoSuite suite = suite(v);
            byte[] key = hex(v, "key");
            if (section.contains("Encryption")) {
                try (SrtpSession out = sessionKeys(engine, SrtpDirection.OUTBOUND, suite, key, salt)) {
                    ByteBuffer b = Packets.direct(packet, 256);
                    assertEquals(SrtpStatus.OK, out.protectRtp(b), section);
                    assertArrayEquals(hex(v, "protected_packet"), Packets.bytes(b), section);
                    checked++;
                }
            } else if (section.contains("Decryption")) {
                try (SrtpSession in = sessionKeys(engine, SrtpDirection.INBOUND, suite, key, salt)) {
                    ByteBuffer b = Packets.direct(hex(v, "protected_packet"), 256);
                    assertEquals(SrtpStatus.OK, in.unprotectRtp(b), section);
                    assertArrayEquals(packet, Packets.bytes(b), section);
                    assertArrayEquals(hex(v, "expected_payload"), Arrays.copyOfRange(Packets.bytes(b), 12, packet.length));
                    checked++;
                }
            } else {
                // 16.x.3/16.x.4 tag SRTP without encrypting it (UNENCRYPTED_SRTP). We never allow
                // unencrypted SRTP, so such a packet must not pass as an encrypted one.
                byte[] tagged = hex(v, "tagged_packet");
                try (SrtpSession in = sessionKeys(engine, SrtpDirection.INBOUND, suite, key, salt)) {
                    assertEquals(SrtpStatus.AUTH_FAILED, in.unprotectRtp(Packets.direct(tagged, 256)), section);
                    checked++;
                }
            }
        }
        assertEquals(8, checked);
    }

    @ParameterizedTest
    @EnumSource(KeyedEngine.class)
    void rfc7714SrtcpVectors(KeyedEngine engine) {
        Map<String, Object> common = obj(RFC7714, "common");
        byte[] salt = hex(common, "salt");
        byte[] rtcp = hex(common, "rtcp_packet");
        int index = Integer.parseInt(str(common, "srtcp_index"), 16);
        List<Object> vectors = list(RFC7714, "srtcp");

        Object encrypt = vectors.get(0);  // 17.1, E=1, SRTCP index 0x5d4
        try (SrtpSession out = sessionKeys(engine, SrtpDirection.OUTBOUND, suite(encrypt), hex(encrypt, "key"), salt)) {
            ByteBuffer b = ByteBuffer.allocateDirect(256);
            for (int i = 0; i < index; i++) {  // our SRTCP index starts at 0, as RFC 3711 3.4 says
                b.clear().put(rtcp).flip();
                assertEquals(SrtpStatus.OK, out.protectRtcp(b));
            }
            b.clear().put(rtcp).flip();
            assertEquals(SrtpStatus.OK, out.protectRtcp(b));
            assertArrayEquals(hex(encrypt, "protected_packet"), Packets.bytes(b), str(encrypt, "section"));
        }
        // 17.2 (E=1) decrypts; 17.3 and 17.4 (E=0, tag only) verify and yield the clear packet.
        for (Object v : List.of(encrypt, vectors.get(1), vectors.get(2), vectors.get(3))) {
            String packetField = ((Map<?, ?>) v).containsKey("protected_packet") ? "protected_packet" : "tagged_packet";
            try (SrtpSession in = sessionKeys(engine, SrtpDirection.INBOUND, suite(v), hex(v, "key"), salt)) {
                ByteBuffer b = Packets.direct(hex(v, packetField), 256);
                assertEquals(SrtpStatus.OK, in.unprotectRtcp(b), str(v, "section"));
                assertArrayEquals(rtcp, Packets.bytes(b), str(v, "section"));
            }
        }
    }

    // ---------- RFC 3711 B.1 (AES-f8) ----------

    @ParameterizedTest
    @EnumSource(KeyedEngine.class)
    void rfc3711B1AesF8(KeyedEngine engine) {
        Map<String, Object> v = obj(RFC3711, "B.1_aes_f8");
        byte[] header = hex(v, "rtp_packet_header");
        byte[] payload = hex(v, "rtp_packet_payload");
        byte[] packet = concat(header, payload);
        int ssrc = (int) Long.parseLong(str(v, "rtp_packet_header").substring(16), 16);
        long roc = Long.parseLong(str(v, "roc"), 16);
        byte[] key = hex(v, "key");
        byte[] salt = hex(v, "salt_key");  // 32 bits in the RFC example; m = salt || 0x55..
        CryptoSuite f8 = CryptoSuite.F8_128_HMAC_SHA1_80;
        // The vector's ROC cannot be given to a sender (setRoc is for a receiver joining a stream),
        // so the receiver meets it: the RFC's ciphertext, tagged here with HMAC-SHA1 under the
        // test's auth key, must turn back into the RFC's payload. f8 is its own inverse, so this
        // is the same keystream, ROC in the IV included, that the sender would have applied.
        byte[] ciphertext = concat(header, hex(v, "ciphertext_payload"));
        byte[] tagged = concat(ciphertext, Arrays.copyOf(hmacSha1(ANY_AUTH, concat(ciphertext, be32(roc))), 10));
        try (SrtpSession in = sessionKeys(engine, SrtpDirection.INBOUND, f8, key, salt)) {
            ByteBuffer b = Packets.direct(tagged, 128);
            assertEquals(SrtpStatus.AUTH_FAILED, in.unprotectRtp(b), "ROC 0 guessed: the tag covers the ROC");
            assertEquals(SrtpStatus.OK, in.setRoc(ssrc, roc));
            b = Packets.direct(tagged, 128);
            assertEquals(SrtpStatus.OK, in.unprotectRtp(b));
            assertArrayEquals(packet, Packets.bytes(b));
        }
    }

    private static byte[] hmacSha1(byte[] key, byte[] data) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] be32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    // ---------- keystreams: RFC 3711 B.2, RFC 6188 7.1 and 7.3 ----------

    @ParameterizedTest
    @EnumSource(KeyedEngine.class)
    void rfc3711B2Aes128Keystream(KeyedEngine engine) {
        Map<String, Object> v = obj(RFC3711, "B.2_aes_cm_keystream");
        assertKeystream(v, keystream(engine, CryptoSuite.AES_CM_128_HMAC_SHA1_80.params(), v));
    }

    @ParameterizedTest
    @EnumSource(KeyedEngine.class)
    void rfc6188Aes256Keystream(KeyedEngine engine) {
        Map<String, Object> v = obj(RFC6188, "7.1_aes256_cm_keystream");
        assertKeystream(v, keystream(engine, CryptoSuite.AES_256_CM_HMAC_SHA1_80.params(), v));
    }

    @ParameterizedTest
    @EnumSource(KeyedEngine.class)
    void rfc6188Aes192Keystream(KeyedEngine engine) {
        Map<String, Object> v = obj(RFC6188, "7.3_aes192_cm_keystream");
        assertKeystream(v, keystream(engine, SuiteParams.AES_192_CM_HMAC_SHA1_80, v));
    }

    /** The keystream is the ciphertext of an all-zero payload at SSRC 0, ROC 0, SEQ 0. */
    private static byte[] keystream(KeyedEngine engine, SuiteParams params, Map<String, Object> v) {
        int length = ((Number) v.get("keystream_segment_length_octets")).intValue();
        byte[] key = hex(v, "session_key");
        byte[] salt = Arrays.copyOf(hex(v, "session_salt_already_shifted"), 14);
        byte[] packet = new byte[12 + length];
        packet[0] = (byte) 0x80;
        int cap = packet.length + 10;
        if (engine == KeyedEngine.JAVA) {
            JavaSrtpCore core = new JavaSrtpCore(params, SrtpDirection.OUTBOUND, key, salt, ANY_AUTH, key, salt, ANY_AUTH,
                    SrtpSessionOptions.DEFAULTS);
            byte[] work = Arrays.copyOf(packet, cap);
            assertEquals(cap, core.process(SrtpNative.OP_PROTECT_RTP, work, packet.length, cap));
            return Arrays.copyOfRange(work, 12, 12 + length);
        }
        long h = SrtpNativeTesting.createSessionFromSessionKeys(params.nativeId(), SrtpNative.DIRECTION_OUTBOUND, key, salt,
                ANY_AUTH, key, salt, ANY_AUTH, new byte[0], 128);
        try {
            ByteBuffer b = ByteBuffer.allocateDirect(cap);
            b.put(packet);
            assertEquals(cap, SrtpNative.protectRtp(h, b, 0, packet.length, cap));
            byte[] out = new byte[length];
            b.get(12, out);
            return out;
        } finally {
            SrtpNative.destroySession(h);
        }
    }

    private static void assertKeystream(Map<String, Object> v, byte[] keystream) {
        List<Object> blocks = list(v, "counter_keystream");
        assertEquals(6, blocks.size());
        for (Object block : blocks) {
            int j = Integer.parseInt(str(block, "counter").substring(28), 16);
            assertArrayEquals(hex(block, "keystream"), Arrays.copyOfRange(keystream, 16 * j, 16 * j + 16),
                    "counter " + str(block, "counter"));
        }
    }

    // ---------- key derivation: RFC 3711 B.3, RFC 6188 7.2 and 7.4 ----------

    @Test
    void rfc3711B3KeyDerivationOnOpenSslAndJava() {
        Map<String, Object> v = obj(RFC3711, "B.3_key_derivation_aes128_cm_prf");
        byte[] mk = hex(v, "master_key");
        byte[] ms = hex(v, "master_salt");
        assertKdf(mk, ms, 0, hex(obj(v, "cipher_key"), "value"));
        assertKdf(mk, ms, 2, hex(obj(v, "cipher_salt"), "value"));
        assertKdf(mk, ms, 1, hex(obj(v, "auth_key"), "value_94_octets"));
    }

    @Test
    void rfc6188KeyDerivationOnOpenSslAndJava() {
        for (String section : List.of("7.2_aes256_cm_prf_key_derivation", "7.4_aes192_cm_prf_key_derivation")) {
            Map<String, Object> v = obj(RFC6188, section);
            byte[] mk = hex(v, "master_key");
            byte[] ms = hex(v, "master_salt");
            String keyField = mk.length == 32 ? "value_32_octets" : "value_24_octets";
            assertKdf(mk, ms, 0, hex(obj(v, "cipher_key"), keyField));
            assertKdf(mk, ms, 2, hex(obj(v, "cipher_salt"), "value_14_octets"));
            assertKdf(mk, ms, 1, hex(obj(v, "auth_key"), "value_20_octets"));
        }
    }

    private static void assertKdf(byte[] mk, byte[] ms, int label, byte[] expected) {
        byte[] nativeOut = new byte[expected.length];
        assertEquals(SrtpNative.STATUS_OK, SrtpNativeTesting.deriveSessionKey(mk, ms, label, nativeOut));
        assertArrayEquals(expected, nativeOut, "OPENSSL label " + label);
        assertArrayEquals(expected, JavaSrtpCore.kdf(mk, ms, label, expected.length), "JAVA label " + label);
    }

    /**
     * libsrtp2 derives its own keys: keyed with the B.3 / RFC 6188 7.2 master keys, it must protect
     * exactly like our core keyed with the session keys those vectors print. This holds each
     * engine to the vector, not merely to the other.
     */
    @Test
    void libsrtp2DerivesTheKeysOfB3AndRfc6188() {
        Map<String, Object> b3 = obj(RFC3711, "B.3_key_derivation_aes128_cm_prf");
        assertLibsrtp2Derives(CryptoSuite.AES_CM_128_HMAC_SHA1_80, hex(b3, "master_key"), hex(b3, "master_salt"),
                hex(obj(b3, "cipher_key"), "value"), hex(obj(b3, "cipher_salt"), "value"),
                hex(obj(b3, "auth_key"), "first_20_octets_for_hmac_sha1_derived_not_printed_in_rfc"));
        Map<String, Object> r = obj(RFC6188, "7.2_aes256_cm_prf_key_derivation");
        assertLibsrtp2Derives(CryptoSuite.AES_256_CM_HMAC_SHA1_80, hex(r, "master_key"), hex(r, "master_salt"),
                hex(obj(r, "cipher_key"), "value_32_octets"), hex(obj(r, "cipher_salt"), "value_14_octets"),
                hex(obj(r, "auth_key"), "value_20_octets"));
    }

    private static void assertLibsrtp2Derives(CryptoSuite suite, byte[] mk, byte[] ms, byte[] key, byte[] salt, byte[] auth) {
        Random random = new Random(3711);
        byte[] packet = Packets.rtp(4711, 0x0badcafe, 160, random);
        ByteBuffer fromLib = Packets.direct(packet, 256);
        ByteBuffer fromVector = Packets.direct(packet, 256);
        try (SrtpSession lib = SrtpSession.open(SrtpEngine.LIBSRTP2, SrtpDirection.OUTBOUND, SrtpMasterKey.of(suite, mk, ms));
             SrtpSession ours = SessionKeys.open(SrtpEngine.OPENSSL, SrtpDirection.OUTBOUND, suite, key,
                     salt, auth, key, salt, auth, SrtpSessionOptions.DEFAULTS)) {
            assertEquals(SrtpStatus.OK, lib.protectRtp(fromLib));
            assertEquals(SrtpStatus.OK, ours.protectRtp(fromVector));
            assertArrayEquals(Packets.bytes(fromVector), Packets.bytes(fromLib), suite.toString());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
