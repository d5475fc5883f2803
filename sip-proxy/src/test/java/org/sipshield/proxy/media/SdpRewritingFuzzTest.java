package org.sipshield.proxy.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.media.PortRange;
import org.sipshield.proxy.b2bua.Call;
import org.sipshield.proxy.b2bua.SdpRejectedException;
import org.sipshield.proxy.b2bua.TestCalls;
import org.sipshield.proxy.security.Peer;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpKeyManager;

/**
 * Coverage-guided fuzzing (Jazzer) of the SDP step: whoever calls us writes the offer and the
 * answer. The input is an offer and an answer separated by a NUL byte; each pair goes through
 * the real rewriter and a real relay (ports really bound) for a plain call and an SRTP call.
 * Any body is rewritten into SDP or refused with {@link SdpRejectedException} (the 488 path),
 * never another exception; no key a peer sent crosses to the other leg (the only key parameters
 * written are in our own a=crypto lines, with our own keys); the same offer or answer again gets
 * the same bytes; ending the call frees every relay session. `mvn test` replays the seeds;
 * bench/robustness.sh fuzzes for 60 s.
 */
class SdpRewritingFuzzTest {
    private static final Pattern INLINE_KEY = Pattern.compile("inline:([A-Za-z0-9+/=]{8,})");
    private static final Peer ENCRYPTED_PHONE = MediaSdpRewriterTest.phone("SEPENC", DeviceSecurityMode.ENCRYPTED);
    private static final Peer PLAIN_PHONE = MediaSdpRewriterTest.phone("SEPPLAIN", DeviceSecurityMode.NON_SECURE);
    private static final Peer SRTP_TRUNK = MediaSdpRewriterTest.trunk("carrier", true);

    private static MediaRelay relay;
    private static MediaSdpRewriter rewriter;

    @BeforeAll
    static void start() {
        relay = MediaRelay.start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(32200, 32299)));
        rewriter = new MediaSdpRewriter(relay, () -> SrtpCipherPolicy.ALL, new SrtpKeyManager());
    }

    @AfterAll
    static void stop() {
        relay.close();
    }

    @FuzzTest(maxDuration = "60s")
    void anyOfferAndAnswerIsRewrittenOrRefused(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int split = text.indexOf('\0');
        byte[] offer = (split < 0 ? text : text.substring(0, split)).getBytes(StandardCharsets.UTF_8);
        byte[] answer = (split < 0 ? "" : text.substring(split + 1)).getBytes(StandardCharsets.UTF_8);
        exchange(TestCalls.call(PLAIN_PHONE, PLAIN_PHONE, false), offer, answer);
        exchange(TestCalls.call(ENCRYPTED_PHONE, SRTP_TRUNK, true), offer, answer);
    }

    private static void exchange(Call call, byte[] offer, byte[] answer) {
        try {
            if (rewrittenOrRefused(call, Call.Side.A, offer) && repeatedAlike(call, Call.Side.A, offer)
                    && rewrittenOrRefused(call, Call.Side.B, answer)) {
                repeatedAlike(call, Call.Side.B, answer);
            }
        } finally {
            rewriter.release(call);
        }
        assertEquals(0, relay.activeSessions(), "a relay session outlived its call");
        assertEquals(0, rewriter.activeCalls());
    }

    /**
     * The same SDP again (a retried offer, a 200 repeating a 183's answer) gets the same bytes,
     * written again from the negotiation state. False when it was refused.
     */
    private static boolean repeatedAlike(Call call, Call.Side from, byte[] body) {
        byte[] first = LAST.get();
        if (!rewrittenOrRefused(call, from, body)) {
            return false;
        }
        assertArrayEquals(first, LAST.get(), "a repeated SDP got another answer");
        return true;
    }

    /** What the last rewrite returned. */
    private static final ThreadLocal<byte[]> LAST = new ThreadLocal<>();

    /** True when the body was rewritten (and checked), false when refused. */
    private static boolean rewrittenOrRefused(Call call, Call.Side from, byte[] body) {
        byte[] rewritten;
        try {
            rewritten = rewriter.rewrite(call, from, body);
            LAST.set(rewritten);
        } catch (SdpRejectedException refused) {
            assertFalse(refused.getMessage() == null || refused.getMessage().isBlank(), "a refusal without a reason");
            return false;
        }
        if (rewritten == body) {
            return true; // not SDP we anchor: passed on untouched
        }
        String out = new String(rewritten, StandardCharsets.UTF_8);
        assertTrue(SdpMessage.parse(rewritten).isPresent(), "we wrote SDP we cannot read back:\n" + out);
        java.util.Set<String> peerKeys = new java.util.HashSet<>();
        Matcher key = INLINE_KEY.matcher(new String(body, StandardCharsets.UTF_8));
        while (key.find()) {
            peerKeys.add(key.group(1));
        }
        for (String line : out.split("\r\n")) {
            assertFalse(line.startsWith("k=") || line.startsWith("a=key-mgmt"), "keying line crossed: " + line);
            Matcher ours = INLINE_KEY.matcher(line);
            while (ours.find()) {
                assertTrue(line.startsWith("a=crypto:"), "a key parameter outside our a=crypto lines: " + line);
                assertFalse(peerKeys.contains(ours.group(1)), "a peer's key crossed to the other leg");
            }
        }
        return true;
    }
}
