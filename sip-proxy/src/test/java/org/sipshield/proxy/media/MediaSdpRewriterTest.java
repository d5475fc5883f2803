package org.sipshield.proxy.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.SipTrunkSecurityProfile;
import org.sipshield.config.TransportType;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.media.PortRange;
import org.sipshield.proxy.b2bua.Call;
import org.sipshield.proxy.b2bua.SdpRejectedException;
import org.sipshield.proxy.b2bua.TestCalls;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpKeyManager;

/** The SDP step against a real relay (ports are really bound): anchoring, per-leg SDES, 488 rules. */
class MediaSdpRewriterTest {
    private static final SrtpKeyManager KEYS = new SrtpKeyManager();
    private static final Peer ENCRYPTED_PHONE = phone("SEPENC", DeviceSecurityMode.ENCRYPTED);
    private static final Peer PLAIN_PHONE = phone("SEPPLAIN", DeviceSecurityMode.NON_SECURE);
    private static final Peer SRTP_TRUNK = trunk("carrier", true);
    private static final Peer RTP_TRUNK = trunk("legacy", false);

    private MediaRelay relay;
    private final AtomicReference<SrtpCipherPolicy> policy = new AtomicReference<>(SrtpCipherPolicy.ALL);
    private MediaSdpRewriter rewriter;

    @BeforeEach
    void start() {
        relay = MediaRelay.start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(32000, 32099)));
        rewriter = new MediaSdpRewriter(relay, policy::get, KEYS);
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    static Peer phone(String name, DeviceSecurityMode mode) {
        return new Peer.Device(new DeviceIdentity(DeviceIdentity.Kind.PHONE, name, List.of("2001"), "profile", null, null),
                new PhoneSecurityProfile("profile", "", mode, mode.isSecure() ? TransportType.TLS : TransportType.TCP_UDP,
                        false, 600, 5060, null));
    }

    static Peer trunk(String name, boolean srtpAllowed) {
        SipTrunkSecurityProfile profile = new SipTrunkSecurityProfile("p", "", DeviceSecurityMode.NON_SECURE,
                TransportType.TCP_UDP, TransportType.TCP, false, 600, List.of(), 5060, false, false, false, false, false,
                false, null);
        return new Peer.Trunk(new SipTrunk(name, "p", List.of(), srtpAllowed, List.of()), profile);
    }

    static String sdp(String address, int port, String proto, List<String> extra) {
        StringBuilder b = new StringBuilder("v=0\r\no=phone 1 1 IN IP4 " + address + "\r\ns=-\r\nc=IN IP4 " + address
                + "\r\nt=0 0\r\nm=audio " + port + " " + proto + " 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
        extra.forEach(l -> b.append(l).append("\r\n"));
        return b.toString();
    }

    static List<String> lines(byte[] sdp, String prefix) {
        List<String> out = new ArrayList<>();
        for (String l : new String(sdp, StandardCharsets.UTF_8).split("\r\n")) {
            if (l.startsWith(prefix)) {
                out.add(l);
            }
        }
        return out;
    }

    static String mLine(byte[] sdp) {
        return lines(sdp, "m=audio").get(0);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String inlineKey(String cryptoLine) {
        return cryptoLine.split("\\s+")[2];
    }

    @Test
    void encryptedPhoneToRtpTrunk_srtpAnsweredOnLegA_plainRtpOfferedOnLegB() {
        Call call = TestCalls.call(ENCRYPTED_PHONE, RTP_TRUNK, false);
        SdesOffer phoneOffer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer();
        byte[] offer = bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", phoneOffer.sdpLines()));
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, offer);
        String m = mLine(towardsB);
        assertTrue(m.startsWith("m=audio 320") && m.contains(" RTP/AVP 0 101"), m);
        assertEquals(List.of("c=IN IP4 127.0.0.1"), lines(towardsB, "c="));
        assertTrue(lines(towardsB, "o=").get(0).endsWith("IN IP4 127.0.0.1"));
        assertEquals(List.of(), lines(towardsB, "a=crypto"), "no keys towards a trunk without SRTP Allowed");
        assertEquals(List.of("a=rtcp-mux"), lines(towardsB, "a=rtcp-mux"));
        assertTrue(lines(towardsB, "a=rtpmap:101").size() == 1, "telephone-event is kept");

        byte[] answerB = bytes(sdp("127.0.0.19", 5000, "RTP/AVP", List.of()));
        byte[] towardsA = rewriter.rewrite(call, Call.Side.B, answerB);
        assertTrue(mLine(towardsA).contains(" RTP/SAVP 0 101"), mLine(towardsA));
        List<String> crypto = lines(towardsA, "a=crypto:");
        assertEquals(1, crypto.size());
        assertTrue(crypto.get(0).startsWith("a=crypto:1 AEAD_AES_256_GCM inline:"), "ALL picks the best suite offered");
        assertTrue(phoneOffer.accept(crypto.get(0)).isSecured());
        for (String offered : lines(offer, "a=crypto:")) {
            assertNotEquals(inlineKey(offered), inlineKey(crypto.get(0)), "our key for leg A is our own");
        }
        assertEquals(List.of(), lines(towardsA, "a=rtcp-mux"), "no rtcp-mux for a phone that did not offer it");
        int portA = Integer.parseInt(mLine(towardsA).split(" ")[1]);
        int portB = Integer.parseInt(mLine(towardsB).split(" ")[1]);
        assertNotEquals(portA, portB);
        assertEquals(List.of("a=rtcp:" + (portA + 1)), lines(towardsA, "a=rtcp:"));
        assertEquals(1, relay.activeSessions());
        rewriter.release(call);
        assertEquals(0, relay.activeSessions());
        assertEquals(0, rewriter.activeCalls());
    }

    @Test
    void srtpOnBothLegs_everyLegAndDirectionHasItsOwnKeys() {
        Call call = TestCalls.call(SRTP_TRUNK, ENCRYPTED_PHONE, true);
        SdesOffer carrierOffer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer();
        byte[] offer = bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", carrierOffer.sdpLines()));
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, offer);
        List<String> offeredToB = lines(towardsB, "a=crypto:");
        assertEquals(SrtpCipherPolicy.ALL.suites().size(), offeredToB.size());
        assertTrue(mLine(towardsB).contains("RTP/SAVP"));

        SdesNegotiator.class.getName();
        var phoneAnswer = new SdesNegotiator(SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80)), KEYS)
                .answer(offeredToB);
        byte[] answerB = bytes(sdp("127.0.0.19", 5000, "RTP/SAVP", List.of(phoneAnswer.answerLine().orElseThrow(), "a=rtcp-mux")));
        byte[] towardsA = rewriter.rewrite(call, Call.Side.B, answerB);
        String toA = lines(towardsA, "a=crypto:").get(0);
        assertTrue(toA.contains("AEAD_AES_256_GCM"));

        List<String> keys = new ArrayList<>();
        lines(offer, "a=crypto:").forEach(l -> keys.add(inlineKey(l)));
        offeredToB.forEach(l -> keys.add(inlineKey(l)));
        keys.add(inlineKey(phoneAnswer.answerLine().orElseThrow()));
        keys.add(inlineKey(toA));
        assertEquals(keys.size(), keys.stream().distinct().count(), "no key appears twice anywhere in the call");
        for (String k : lines(offer, "a=crypto:")) {
            assertFalse(new String(towardsB, StandardCharsets.UTF_8).contains(inlineKey(k)), "leg A's keys never reach leg B");
        }
        assertFalse(new String(towardsA, StandardCharsets.UTF_8).contains(inlineKey(phoneAnswer.answerLine().orElseThrow())));
        rewriter.release(call);
    }

    @Test
    void theSrtpCiphersPolicyLimitsWhatIsOfferedAndAccepted() {
        policy.set(SrtpCipherPolicy.STRONGEST);
        Call call = TestCalls.call(SRTP_TRUNK, ENCRYPTED_PHONE, true);
        SdesOffer onlyCm = new SdesNegotiator(SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80)), KEYS).createOffer();
        // the trunk allows RTP, so its best-effort offer (RTP/AVP + a=crypto) falls back to RTP on leg A...
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/AVP", onlyCm.sdpLines())));
        List<String> offeredToB = lines(towardsB, "a=crypto:");
        assertEquals(1, offeredToB.size());
        assertTrue(offeredToB.get(0).contains(" AEAD_AES_256_GCM "), "STRONGEST offers AEAD_AES_256_GCM only");
        var phoneAnswer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(offeredToB);
        byte[] towardsA = rewriter.rewrite(call, Call.Side.B,
                bytes(sdp("127.0.0.19", 5000, "RTP/SAVP", List.of(phoneAnswer.answerLine().orElseThrow()))));
        assertEquals(List.of(), lines(towardsA, "a=crypto:"), "...and leg A is answered with plain RTP");
        assertTrue(mLine(towardsA).contains("RTP/AVP"));
        rewriter.release(call);

        // ...but a phone whose profile is Encrypted cannot fall back: 488
        Call strict = TestCalls.call(ENCRYPTED_PHONE, RTP_TRUNK, false);
        SdesOffer weak = new SdesNegotiator(SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_32)), KEYS).createOffer();
        SdpRejectedException e = assertThrows(SdpRejectedException.class,
                () -> rewriter.rewrite(strict, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", weak.sdpLines()))));
        assertEquals(488, e.status());
        assertTrue(e.reason().contains("requires SRTP"), e.reason());
        rewriter.release(strict);
    }

    @Test
    void encryptedPhoneWithoutCryptoAndSavpOfferToAnRtpOnlyLegAreRefusedWith488() {
        Call noCrypto = TestCalls.call(ENCRYPTED_PHONE, RTP_TRUNK, false);
        assertEquals(488, assertThrows(SdpRejectedException.class,
                () -> rewriter.rewrite(noCrypto, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/AVP", List.of())))).status());
        rewriter.release(noCrypto);

        Call savpFromPlainPhone = TestCalls.call(PLAIN_PHONE, RTP_TRUNK, false);
        SdesOffer offer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer();
        assertEquals(488, assertThrows(SdpRejectedException.class, () -> rewriter.rewrite(savpFromPlainPhone, Call.Side.A,
                bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", offer.sdpLines())))).status());
        rewriter.release(savpFromPlainPhone);
        assertEquals(0, relay.activeSessions(), "a refused call holds no ports");
    }

    @Test
    void encryptedCalleeAnsweringWithoutSrtpIsRefused() {
        Call call = TestCalls.call(PLAIN_PHONE, ENCRYPTED_PHONE, true);
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/AVP", List.of())));
        assertTrue(mLine(towardsB).contains("RTP/SAVP"), "an Encrypted phone is offered SRTP only");
        assertEquals(488, assertThrows(SdpRejectedException.class,
                () -> rewriter.rewrite(call, Call.Side.B, bytes(sdp("127.0.0.19", 5000, "RTP/AVP", List.of())))).status());
        rewriter.release(call);
    }

    @Test
    void aRepeatedAnswerIsStableAndAReInviteGetsFreshKeys() {
        Call call = TestCalls.call(SRTP_TRUNK, SRTP_TRUNK, true);
        SdesOffer first = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer();
        byte[] offer = bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", first.sdpLines()));
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, offer);
        assertArrayEquals(towardsB, rewriter.rewrite(call, Call.Side.A, offer), "the same offer to the next destination");
        var answer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(lines(towardsB, "a=crypto:"));
        byte[] answerB = bytes(sdp("127.0.0.19", 5000, "RTP/SAVP", List.of(answer.answerLine().orElseThrow())));
        byte[] towardsA = rewriter.rewrite(call, Call.Side.B, answerB);
        assertArrayEquals(towardsA, rewriter.rewrite(call, Call.Side.B, answerB), "a 200 repeating the 183's answer");

        // re-INVITE from leg B: a new offer, new keys on both legs, the same ports
        SdesOffer reOffer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer();
        byte[] reInvite = bytes(sdp("127.0.0.19", 5002, "RTP/SAVP", reOffer.sdpLines()).replace("a=sendrecv", "a=sendonly"));
        byte[] towardsA2 = rewriter.rewrite(call, Call.Side.B, reInvite);
        assertEquals(mLine(towardsA).split(" ")[1], mLine(towardsA2).split(" ")[1]);
        assertEquals(List.of("a=sendonly"), lines(towardsA2, "a=sendonly"), "hold crosses");
        for (String k : lines(towardsA2, "a=crypto:")) {
            assertFalse(new String(towardsA, StandardCharsets.UTF_8).contains(inlineKey(k)));
        }
        rewriter.release(call);
    }

    @Test
    void delayedOffer_theOfferIn200GoesToTheCallerWithItsOwnKeys_theAnswerInTheAckToTheCallee() {
        Call call = TestCalls.call(SRTP_TRUNK, ENCRYPTED_PHONE, true);
        assertEquals(null, rewriter.rewrite(call, Call.Side.A, null), "an INVITE without SDP passes as it is");

        // the callee offers in its 200
        SdesOffer phoneOffer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer();
        byte[] offer = bytes(sdp("127.0.0.19", 5000, "RTP/SAVP", phoneOffer.sdpLines()));
        byte[] towardsA = rewriter.rewrite(call, Call.Side.B, offer);
        assertEquals(List.of("c=IN IP4 127.0.0.1"), lines(towardsA, "c="));
        assertTrue(mLine(towardsA).contains(" RTP/SAVP "), mLine(towardsA));
        List<String> offeredToA = lines(towardsA, "a=crypto:");
        assertEquals(SrtpCipherPolicy.ALL.suites().size(), offeredToA.size(), "the caller's leg gets an offer of our own");
        for (String k : lines(offer, "a=crypto:")) {
            assertFalse(new String(towardsA, StandardCharsets.UTF_8).contains(inlineKey(k)), "the callee's keys never reach leg A");
        }

        // the caller answers in its ACK
        var carrierAnswer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(offeredToA);
        byte[] ackAnswer = bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", List.of(carrierAnswer.answerLine().orElseThrow())));
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, ackAnswer);
        assertEquals(List.of("c=IN IP4 127.0.0.1"), lines(towardsB, "c="));
        List<String> answeredToB = lines(towardsB, "a=crypto:");
        assertEquals(1, answeredToB.size());
        assertTrue(phoneOffer.accept(answeredToB.get(0)).isSecured(), "the callee's offer is answered: " + answeredToB);
        assertNotEquals(inlineKey(carrierAnswer.answerLine().orElseThrow()), inlineKey(answeredToB.get(0)));
        int portA = Integer.parseInt(mLine(towardsA).split(" ")[1]);
        int portB = Integer.parseInt(mLine(towardsB).split(" ")[1]);
        var session = rewriter.relaySessions(call).get(0);
        assertEquals(portA, session.leg(org.sipshield.media.RelaySide.A).localRtpPort());
        assertEquals(portB, session.leg(org.sipshield.media.RelaySide.B).localRtpPort());
        assertFalse(session.isOnHold());
        rewriter.release(call);
    }

    @Test
    void holdSuspendsTheMediaTimeoutAndResumingGetsFreshKeys() {
        Call call = TestCalls.call(SRTP_TRUNK, SRTP_TRUNK, true);
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A,
                bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer().sdpLines())));
        var answer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(lines(towardsB, "a=crypto:"));
        rewriter.rewrite(call, Call.Side.B, bytes(sdp("127.0.0.19", 5000, "RTP/SAVP", List.of(answer.answerLine().orElseThrow()))));
        var session = rewriter.relaySessions(call).get(0);
        assertFalse(session.isOnHold());

        // leg A holds (a=sendonly), leg B answers a=recvonly
        byte[] hold = rewriter.rewrite(call, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/SAVP",
                new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer().sdpLines()).replace("a=sendrecv", "a=sendonly")));
        assertEquals(List.of("a=sendonly"), lines(hold, "a=sendonly"));
        var holdAnswer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(lines(hold, "a=crypto:"));
        byte[] heldA = rewriter.rewrite(call, Call.Side.B, bytes(sdp("127.0.0.19", 5000, "RTP/SAVP",
                List.of(holdAnswer.answerLine().orElseThrow())).replace("a=sendrecv", "a=recvonly")));
        assertTrue(session.isOnHold());

        // resumed with fresh keys on both legs
        byte[] resume = rewriter.rewrite(call, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/SAVP",
                new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer().sdpLines())));
        var resumeAnswer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(lines(resume, "a=crypto:"));
        byte[] resumedA = rewriter.rewrite(call, Call.Side.B, bytes(sdp("127.0.0.19", 5000, "RTP/SAVP",
                List.of(resumeAnswer.answerLine().orElseThrow()))));
        assertFalse(session.isOnHold());
        assertNotEquals(inlineKey(lines(heldA, "a=crypto:").get(0)), inlineKey(lines(resumedA, "a=crypto:").get(0)));
        for (String k : lines(hold, "a=crypto:")) {
            assertFalse(new String(resume, StandardCharsets.UTF_8).contains(inlineKey(k)));
        }

        // RFC 2543 hold: c=0.0.0.0 with no direction attribute
        byte[] oldHold = rewriter.rewrite(call, Call.Side.B, bytes(sdp("0.0.0.0", 5000, "RTP/SAVP",
                new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer().sdpLines()).replace("a=sendrecv\r\n", "")));
        var oldHoldAnswer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(lines(oldHold, "a=crypto:"));
        rewriter.rewrite(call, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", List.of(oldHoldAnswer.answerLine().orElseThrow()))));
        assertTrue(session.isOnHold());
        rewriter.release(call);
    }

    @Test
    void aBodyThatIsNotSdpIsRefused() {
        Call call = TestCalls.call(PLAIN_PHONE, RTP_TRUNK, false);
        assertEquals(488, assertThrows(SdpRejectedException.class,
                () -> rewriter.rewrite(call, Call.Side.A, bytes("hello\r\n"))).status());
        assertEquals(488, assertThrows(SdpRejectedException.class,
                () -> rewriter.rewrite(call, Call.Side.A, bytes("v=0\r\nm=audio 99999 RTP/AVP 0\r\n"))).status());
        rewriter.release(call);
    }

    @Test
    void nothingThatNamesTheCallerOrCarriesKeysCrossesToTheOtherLeg() {
        Call call = TestCalls.call(PLAIN_PHONE, RTP_TRUNK, false);
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/AVP", List.of(
                "a=ssrc:305419896 cname:sip:alice@10.1.2.3:5060", "a=ssrc-group:FID 305419896 305419897",
                "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO", "k=clear:secret"))));
        String out = new String(towardsB, StandardCharsets.UTF_8);
        for (String leak : List.of("alice", "10.1.2.3", "a=ssrc", "key-mgmt", "k=clear", "secret")) {
            assertFalse(out.contains(leak), leak + " crossed to leg B:\n" + out);
        }
        rewriter.release(call);
    }
}
