package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SdesNegotiatorTest {
    private final SrtpKeyManager keys = new SrtpKeyManager();

    private List<String> offerLines(SrtpCipherPolicy policy) {
        return new SdesNegotiator(policy, keys).createOffer().sdpLines();
    }

    @Test
    void policiesListSuitesInTheIssuesOrderAndF8OnlyExplicitly() {
        assertEquals(List.of(CryptoSuite.AEAD_AES_256_GCM), SrtpCipherPolicy.STRONGEST.suites());
        assertEquals(List.of(CryptoSuite.AEAD_AES_256_GCM, CryptoSuite.AEAD_AES_128_GCM), SrtpCipherPolicy.MEDIUM.suites());
        assertEquals(List.of(CryptoSuite.AEAD_AES_256_GCM, CryptoSuite.AEAD_AES_128_GCM, CryptoSuite.AES_256_CM_HMAC_SHA1_80,
                CryptoSuite.AES_256_CM_HMAC_SHA1_32, CryptoSuite.AES_CM_128_HMAC_SHA1_80, CryptoSuite.AES_CM_128_HMAC_SHA1_32),
                SrtpCipherPolicy.ALL.suites());
        assertEquals(SrtpCipherPolicy.ALL, SrtpCipherPolicy.DEFAULT);
        assertFalse(SrtpCipherPolicy.ALL.allows(CryptoSuite.F8_128_HMAC_SHA1_80));
        assertTrue(SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80, CryptoSuite.F8_128_HMAC_SHA1_80))
                .allows(CryptoSuite.F8_128_HMAC_SHA1_80));
        assertEquals(SrtpCipherPolicy.MEDIUM, SrtpCipherPolicy.named(" medium "));
        assertThrows(IllegalArgumentException.class, () -> SrtpCipherPolicy.named("WEAK"));
        assertThrows(IllegalArgumentException.class, () -> SrtpCipherPolicy.of(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> SrtpCipherPolicy.of(List.of(CryptoSuite.AEAD_AES_128_GCM, CryptoSuite.AEAD_AES_128_GCM)));
    }

    @Test
    void offerHasOneLinePerAllowedSuiteBestFirstEachWithItsOwnKey() {
        SdesOffer offer = new SdesNegotiator(SrtpCipherPolicy.ALL, keys).createOffer();
        assertEquals(6, offer.attributes().size());
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 1, offer.attributes().get(i).tag());
            assertEquals(SrtpCipherPolicy.ALL.suites().get(i), offer.attributes().get(i).suite());
        }
        assertTrue(offer.sdpLines().get(0).startsWith("a=crypto:1 AEAD_AES_256_GCM inline:"));
        assertEquals(6, offer.sdpLines().stream().map(l -> l.substring(l.indexOf("inline:"))).distinct().count());
        offer.close();
        assertTrue(offer.attributes().stream().allMatch(a -> a.keyParam().key().isDestroyed()));
    }

    @Test
    void answererPicksTheBestSuiteByPolicyWhateverTheOfferOrder() {
        List<String> lines = new ArrayList<>(offerLines(SrtpCipherPolicy.ALL));
        Collections.reverse(lines);  // the offer prefers AES_CM_128_HMAC_SHA1_32
        SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.ALL, keys).answer(lines);
        assertTrue(answer.isSecured());
        assertEquals(CryptoSuite.AEAD_AES_256_GCM, answer.selection().orElseThrow().suite());
        assertEquals(1, answer.selection().orElseThrow().tag());
        assertTrue(answer.answerLine().orElseThrow().startsWith("a=crypto:1 AEAD_AES_256_GCM inline:"));

        List<String> cmOnly = offerLines(SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_32,
                CryptoSuite.AES_CM_128_HMAC_SHA1_80)));
        SdesAnswer cm = new SdesNegotiator(SrtpCipherPolicy.ALL, keys).answer(cmOnly);
        assertEquals(CryptoSuite.AES_CM_128_HMAC_SHA1_80, cm.selection().orElseThrow().suite());
        assertEquals(2, cm.selection().orElseThrow().tag());
    }

    @Test
    void noCommonSuiteMeansNoSrtpAndEveryLineSaysWhy() {
        List<String> lines = offerLines(SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80,
                CryptoSuite.F8_128_HMAC_SHA1_80)));
        List<String> offered = new ArrayList<>(lines);
        offered.add("a=crypto:9 AEAD_AES_256_GCM inline:AAAA UNENCRYPTED_SRTP");
        SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.MEDIUM, keys).answer(offered);
        assertFalse(answer.isSecured());
        assertTrue(answer.answerLine().isEmpty());
        assertEquals(3, answer.declined().size());
        assertEquals(SdesRejection.NOT_ALLOWED_BY_POLICY, answer.declined().get(0).reason());
        assertEquals(SdesRejection.NOT_ALLOWED_BY_POLICY, answer.declined().get(1).reason());
        assertEquals(9, answer.declined().get(2).tag().orElseThrow());
    }

    @Test
    void aWeakeningLineIsDeclinedEvenIfItsSuiteIsTheBest() {
        List<String> offered = new ArrayList<>();
        SdesOffer o = new SdesNegotiator(SrtpCipherPolicy.ALL, keys).createOffer();
        offered.add(o.sdpLines().get(0) + " UNAUTHENTICATED_SRTP");  // AEAD_AES_256_GCM, weakened
        offered.add(o.sdpLines().get(4));                            // AES_CM_128_HMAC_SHA1_80
        SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.ALL, keys).answer(offered);
        assertEquals(CryptoSuite.AES_CM_128_HMAC_SHA1_80, answer.selection().orElseThrow().suite());
        assertEquals(SdesRejection.WEAKENING_SESSION_PARAM, answer.declined().get(0).reason());
    }

    @Test
    void offerAndAnswerSetUpSessionsThatCarryMediaBothWaysOnAnyEngines() {
        for (SrtpEngine alice : SrtpEngine.values()) {
            for (SrtpEngine bob : SrtpEngine.values()) {
                SdesOffer offer = new SdesNegotiator(SrtpCipherPolicy.ALL, keys).createOffer();
                SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.MEDIUM, keys).answer(offer.sdpLines());
                SdesOffer.Result result = offer.accept(answer.answerLine().orElseThrow());
                assertTrue(result.isSecured(), result.toString());
                SdesSelection a = result.selection().orElseThrow();
                SdesSelection b = answer.selection().orElseThrow();
                assertEquals(CryptoSuite.AEAD_AES_256_GCM, a.suite());
                assertTrue(offer.attributes().subList(1, 6).stream().allMatch(x -> x.keyParam().key().isDestroyed()),
                        "the keys of lines not chosen are destroyed");
                try (SrtpSession aOut = a.openOutbound(alice); SrtpSession aIn = a.openInbound(alice);
                     SrtpSession bOut = b.openOutbound(bob); SrtpSession bIn = b.openInbound(bob)) {
                    assertMediaFlows(aOut, bIn);
                    assertMediaFlows(bOut, aIn);
                }
            }
        }
    }

    @Test
    void mkiFromTheOfferIsUsedByTheAnswerersInboundSession() {
        SrtpMasterKey aliceKey = keys.newMasterKey(CryptoSuite.AES_CM_128_HMAC_SHA1_80);
        String line = SdesCryptoAttribute.of(3, SdesKeyParam.of(aliceKey).withMki(Mki.of(7, 2))).toSdpLine();
        SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.ALL, keys).answer(List.of(line));
        SdesSelection sel = answer.selection().orElseThrow();
        assertEquals(Mki.of(7, 2), sel.remoteMki().orElseThrow());
        try (SrtpSession aliceOut = SrtpSession.open(SrtpEngine.LIBSRTP2, SrtpDirection.OUTBOUND, aliceKey,
                SrtpSessionOptions.DEFAULTS.withMki(Mki.of(7, 2)));
             SrtpSession bobIn = sel.openInbound(SrtpEngine.OPENSSL)) {
            assertMediaFlows(aliceOut, bobIn);
        }
        sel.discard();
    }

    @Test
    void answersNamingAnotherSuiteOrAnUnofferedTagAreRefused() {
        SdesOffer offer = new SdesNegotiator(SrtpCipherPolicy.MEDIUM, keys).createOffer();
        String wrongSuite = SdesCryptoAttribute.of(1, SdesKeyParam.of(keys.newMasterKey(CryptoSuite.AEAD_AES_128_GCM))).toSdpLine();
        assertFalse(offer.accept(wrongSuite).isSecured());
        String unoffered = SdesCryptoAttribute.of(5, SdesKeyParam.of(keys.newMasterKey(CryptoSuite.AEAD_AES_128_GCM))).toSdpLine();
        assertFalse(offer.accept(unoffered).isSecured());
        assertEquals(SdesRejection.WEAKENING_SESSION_PARAM, offer.accept(
                SdesCryptoAttribute.of(2, SdesKeyParam.of(keys.newMasterKey(CryptoSuite.AEAD_AES_128_GCM))).toSdpLine()
                        + " UNENCRYPTED_SRTCP").refusal().orElseThrow().reason());
        assertTrue(offer.accept(
                SdesCryptoAttribute.of(2, SdesKeyParam.of(keys.newMasterKey(CryptoSuite.AEAD_AES_128_GCM))).toSdpLine()).isSecured());
    }

    static void assertMediaFlows(SrtpSession out, SrtpSession in) {
        Random r = new Random(11);
        for (int i = 0; i < 20; i++) {
            byte[] p = Packets.rtp(i, 0x1234, 160, r);
            ByteBuffer b = Packets.direct(p, 256);
            assertEquals(SrtpStatus.OK, out.protectRtp(b), out + " -> " + in);
            assertEquals(SrtpStatus.OK, in.unprotectRtp(b), out + " -> " + in);
            assertArrayEquals(p, Packets.bytes(b));
        }
    }
}
