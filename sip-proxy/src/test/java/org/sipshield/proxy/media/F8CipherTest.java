package org.sipshield.proxy.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.media.MediaSdpRewriterTest.bytes;
import static org.sipshield.proxy.media.MediaSdpRewriterTest.lines;
import static org.sipshield.proxy.media.MediaSdpRewriterTest.sdp;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipshield.config.MediaLatching;
import org.sipshield.config.MediaSettings;
import org.sipshield.config.SrtpCiphers;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.media.PortRange;
import org.sipshield.proxy.b2bua.Call;
import org.sipshield.proxy.b2bua.SdpRejectedException;
import org.sipshield.proxy.b2bua.TestCalls;
import org.sipshield.proxy.security.Peer;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpKeyManager;

/**
 * F8_128_HMAC_SHA1_80 through the SDP step as the configuration sets it: by default an old
 * carrier offering only F8 is refused and F8 is never offered; with media.enableF8Cipher it is
 * answered, and offered last, after every suite a modern peer would pick first.
 */
class F8CipherTest {
    private static final SrtpKeyManager KEYS = new SrtpKeyManager();
    private static final Peer OLD_CARRIER = MediaSdpRewriterTest.trunk("old-carrier", true);
    private static final Peer CARRIER = MediaSdpRewriterTest.trunk("carrier", true);

    private MediaRelay relay;
    private final AtomicReference<MediaSettings> settings = new AtomicReference<>(media(false));
    private MediaSdpRewriter rewriter;

    static MediaSettings media(boolean f8) {
        return new MediaSettings("127.0.0.1", 32100, 32199, 60, SrtpCiphers.ALL, MediaLatching.SIGNALLED_ADDRESS,
                MediaSettings.EncryptedPhoneFallback.RTP, f8);
    }

    @BeforeEach
    void start() {
        relay = MediaRelay.start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(32100, 32199)));
        rewriter = new MediaSdpRewriter(relay, () -> MediaAnchoring.policy(settings.get()), KEYS);
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    static byte[] f8OnlyOffer() {
        List<String> crypto = new SdesNegotiator(SrtpCipherPolicy.of(List.of(CryptoSuite.F8_128_HMAC_SHA1_80)), KEYS)
                .createOffer().sdpLines();
        return bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", crypto));
    }

    @Test
    void byDefaultAnF8OnlyOfferIsRefusedAndF8IsNeverOffered() {
        Call refused = TestCalls.call(OLD_CARRIER, CARRIER, true);
        assertThrows(SdpRejectedException.class, () -> rewriter.rewrite(refused, Call.Side.A, f8OnlyOffer()));

        Call call = TestCalls.call(CARRIER, OLD_CARRIER, true);
        List<String> crypto = new SdesNegotiator(SrtpCipherPolicy.ALL.withF8Last(), KEYS).createOffer().sdpLines();
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, bytes(sdp("127.0.0.15", 4000, "RTP/SAVP", crypto)));
        assertTrue(lines(towardsB, "a=crypto:").stream().noneMatch(l -> l.contains("F8_128")), lines(towardsB, "a=crypto:").toString());
        rewriter.release(call);
    }

    @Test
    void enabledF8IsAnsweredToAnOldCarrierAndOfferedOnlyAfterEveryOtherSuite() {
        settings.set(media(true));
        Call call = TestCalls.call(OLD_CARRIER, CARRIER, true);
        byte[] towardsB = rewriter.rewrite(call, Call.Side.A, f8OnlyOffer());
        List<String> offered = lines(towardsB, "a=crypto:");
        assertEquals(SrtpCipherPolicy.ALL.suites().size() + 1, offered.size(), offered.toString());
        assertTrue(offered.get(offered.size() - 1).contains(" F8_128_HMAC_SHA1_80 "), offered.toString());
        assertTrue(offered.get(0).contains(" AEAD_AES_256_GCM "), "a modern far end still gets GCM first");

        var farAnswer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(offered);
        byte[] towardsA = rewriter.rewrite(call, Call.Side.B, bytes(sdp("127.0.0.19", 5000, "RTP/SAVP",
                List.of(farAnswer.answerLine().orElseThrow()))));
        List<String> answered = lines(towardsA, "a=crypto:");
        assertEquals(1, answered.size(), answered.toString());
        assertTrue(answered.get(0).contains(" F8_128_HMAC_SHA1_80 inline:"), answered.toString());
        rewriter.release(call);
    }
}
