package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SdesCryptoAttributeTest {
    /** RFC 4568 section 8.1's example line (AES_CM_128_HMAC_SHA1_80, lifetime 2^20, MKI 1:4). */
    private static final String RFC4568_EXAMPLE =
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4";

    private static String b64(int octets, boolean padded) {
        byte[] b = new byte[octets];
        for (int i = 0; i < octets; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        Base64.Encoder e = padded ? Base64.getEncoder() : Base64.getEncoder().withoutPadding();
        return e.encodeToString(b);
    }

    @Test
    void parsesTheRfc4568ExampleAndWritesItBackCanonically() {
        SdesParseResult r = SdesCryptoAttribute.parse(RFC4568_EXAMPLE);
        assertTrue(r.isAccepted(), r.toString());
        SdesCryptoAttribute a = r.attribute();
        assertEquals(1, a.tag());
        assertEquals(CryptoSuite.AES_CM_128_HMAC_SHA1_80, a.suite());
        assertEquals(1L << 20, a.keyParam().lifetime().getAsLong());
        assertEquals(Mki.of(1, 4), a.keyParam().mki().orElseThrow());
        assertEquals(RFC4568_EXAMPLE, a.toSdpLine());
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void acceptsPaddedAndUnpaddedKeysAndAlwaysEmitsPadded(CryptoSuite suite) {
        int octets = suite.masterKeyLength() + suite.masterSaltLength();
        String padded = b64(octets, true);
        String unpadded = b64(octets, false);
        SdesCryptoAttribute fromPadded = SdesCryptoAttribute.parse("a=crypto:7 " + suite.sdesName() + " inline:" + padded).attribute();
        SdesCryptoAttribute fromUnpadded = SdesCryptoAttribute.parse("crypto:7 " + suite.sdesName() + " inline:" + unpadded).attribute();
        assertTrue(fromPadded.keyParam().key().sameMaterialAs(fromUnpadded.keyParam().key()));
        assertEquals("a=crypto:7 " + suite.sdesName() + " inline:" + padded, fromUnpadded.toSdpLine());
    }

    @Test
    void theAes256GcmInteropTrapIs44OctetsWithOnePadCharacter() {
        String padded = b64(44, true);
        assertEquals(60, padded.length());
        assertTrue(padded.endsWith("=") && !padded.endsWith("=="));
        assertTrue(SdesCryptoAttribute.parse("a=crypto:1 AEAD_AES_256_GCM inline:" + padded.substring(0, 59)).isAccepted());
        assertTrue(SdesCryptoAttribute.parse("a=crypto:1 AEAD_AES_256_GCM inline:" + padded).isAccepted());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '#', value = {
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80# MALFORMED",
        "a=rtpmap:0 PCMU/8000# MALFORMED",
        "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:KEY30# MALFORMED",
        "a=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:KEY30# MALFORMED",
        "a=crypto:1 AES_CM_192_HMAC_SHA1_80 inline:KEY30# UNSUPPORTED_CRYPTO_SUITE",
        "a=crypto:1 aes_cm_128_hmac_sha1_80 inline:KEY30# UNSUPPORTED_CRYPTO_SUITE",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 uri:http://127.0.0.1/k# UNSUPPORTED_KEY_METHOD",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 KEY30# MALFORMED",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:not*base64# BAD_KEY_ENCODING",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:A# BAD_KEY_ENCODING",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY29# BAD_KEY_LENGTH",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY31# BAD_KEY_LENGTH",
        "a=crypto:1 AEAD_AES_256_GCM inline:KEY46# BAD_KEY_LENGTH",
        "a=crypto:1 AEAD_AES_128_GCM inline:KEY30# BAD_KEY_LENGTH",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|2^49# BAD_LIFETIME",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|0# BAD_LIFETIME",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|2^x# BAD_LIFETIME",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|1:0# BAD_MKI",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|1:129# BAD_MKI",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|256:1# BAD_MKI",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|1:4|2^20# MALFORMED",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|1:4|2:4# BAD_MKI",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30;inline:KEY30# MALFORMED",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 UNENCRYPTED_SRTP# WEAKENING_SESSION_PARAM",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 UNENCRYPTED_SRTCP# WEAKENING_SESSION_PARAM",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 UNAUTHENTICATED_SRTP# WEAKENING_SESSION_PARAM",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 KDR=10# UNSUPPORTED_SESSION_PARAM",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 FEC_KEY=inline:KEY30# UNSUPPORTED_SESSION_PARAM",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 WSH=32# MALFORMED",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 FEC_ORDER=BOTH# MALFORMED",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30 FUTURE_PARAM=1# UNKNOWN_SESSION_PARAM",
    })
    void refusesBadLinesWithAPreciseReason(String line, SdesRejection expected) {
        SdesParseResult r = SdesCryptoAttribute.parse(expand(line));
        assertFalse(r.isAccepted(), line);
        assertEquals(expected, r.rejection().orElseThrow(), r.detail());
        assertFalse(r.detail().isEmpty());
        assertFalse(r.detail().contains(b64(30, true)), "a rejection must not echo key material");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|2^31",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|1048576",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY30|1:1",
        "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:KEY30|2^20|1:4;inline:KEY30|2^20|2:4",
        "a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:KEY46 WSH=128",
        "a=crypto:4 AES_256_CM_HMAC_SHA1_32 inline:KEY46 FEC_ORDER=FEC_SRTP -FUTURE_OPTIONAL=1",
        "  a=crypto:5   AEAD_AES_128_GCM\tinline:KEY28  ",
    })
    void acceptsGoodLines(String line) {
        SdesParseResult r = SdesCryptoAttribute.parse(expand(line));
        assertTrue(r.isAccepted(), r.toString());
    }

    @Test
    void mkiValuesUpToTheirLengthAndCanonicalOutput() {
        SdesCryptoAttribute a = SdesCryptoAttribute.parse(expand(
                "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:KEY30|1048576|65535:2")).attribute();
        assertEquals(Mki.of(BigInteger.valueOf(65535), 2), a.keyParam().mki().orElseThrow());
        assertEquals(expand("a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:KEY30|2^20|65535:2"), a.toSdpLine());
        assertEquals(2, a.keyParam().mki().orElseThrow().toBytes().length);
    }

    @Test
    void toStringNeverShowsTheKey() {
        SdesCryptoAttribute a = SdesCryptoAttribute.parse(RFC4568_EXAMPLE).attribute();
        assertFalse(a.toString().contains("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"), a.toString());
        assertFalse(a.keyParam().key().toString().contains("PS1u"));
        assertTrue(a.toString().contains("redacted"));
    }

    @Test
    void nullAndGarbageAreRejectedNotThrown() {
        assertFalse(SdesCryptoAttribute.parse(null).isAccepted());
        assertFalse(SdesCryptoAttribute.parse("").isAccepted());
        assertFalse(SdesCryptoAttribute.parse("a=crypto:").isAccepted());
        assertFalse(SdesCryptoAttribute.parse("a=crypto:1 \u0000\u0001 inline:").isAccepted());
        assertFalse(SdesCryptoAttribute.parse("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:|||").isAccepted());
    }

    /** KEYnn stands for a padded base64 key||salt of nn octets. */
    private static String expand(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("KEY(\\d+)").matcher(line);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(b64(Integer.parseInt(m.group(1)), true)));
        }
        m.appendTail(b);
        return b.toString();
    }
}
