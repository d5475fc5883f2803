package org.sipshield.proxy.media;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.media.MediaSdpRewriterTest.bytes;
import static org.sipshield.proxy.media.MediaSdpRewriterTest.lines;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.media.PortRange;
import org.sipshield.media.RelaySession;
import org.sipshield.proxy.b2bua.Call;
import org.sipshield.proxy.b2bua.TestCalls;
import org.sipshield.proxy.security.Peer;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpKeyManager;

/**
 * Every m= line of a call against a real relay (ports are really bound): each stream its own
 * session, ports and keys per leg; streams the relay cannot carry declined; a cap per call; ports
 * stable across re-offers, a stream added is anchored and one disabled released.
 */
class MediaStreamsTest {
    private static final SrtpKeyManager KEYS = new SrtpKeyManager();
    private static final Peer ENCRYPTED_PHONE = MediaSdpRewriterTest.phone("SEPENC", DeviceSecurityMode.ENCRYPTED);
    private static final Peer SRTP_TRUNK = MediaSdpRewriterTest.trunk("carrier", true);
    private static final Peer RTP_TRUNK = MediaSdpRewriterTest.trunk("legacy", false);

    private MediaRelay relay;
    private MediaSdpRewriter rewriter;

    @BeforeEach
    void start() {
        relay = MediaRelay.start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(32200, 32399)));
        rewriter = new MediaSdpRewriter(relay, () -> SrtpCipherPolicy.ALL, KEYS);
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    /** An SDP with the session part and the given m= sections (each its m= line and attributes, CRLF-free lines). */
    static byte[] sdp(String address, List<List<String>> sections) {
        StringBuilder b = new StringBuilder("v=0\r\no=peer 1 1 IN IP4 " + address + "\r\ns=-\r\nc=IN IP4 " + address
                + "\r\nt=0 0\r\n");
        sections.forEach(s -> s.forEach(l -> b.append(l).append("\r\n")));
        return bytes(b.toString());
    }

    static List<String> section(String mLine, List<String> extra) {
        List<String> out = new ArrayList<>(List.of(mLine, "a=sendrecv"));
        out.addAll(extra);
        return out;
    }

    /** The lines of each m= section of an SDP, the m= line first. */
    static List<List<String>> sections(byte[] sdp) {
        List<List<String>> out = new ArrayList<>();
        for (String l : new String(sdp, StandardCharsets.UTF_8).split("\r\n")) {
            if (l.startsWith("m=")) {
                out.add(new ArrayList<>());
            }
            if (!out.isEmpty()) {
                out.get(out.size() - 1).add(l);
            }
        }
        return out;
    }

    static int port(List<String> section) {
        return Integer.parseInt(section.get(0).split(" ")[1]);
    }

    static List<String> crypto(List<String> section) {
        return section.stream().filter(l -> l.startsWith("a=crypto:")).toList();
    }

    private static SdesOffer offerKeys() {
        return new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).createOffer();
    }

    @Test
    void audioAndVideoEachGetTheirOwnSessionPortsAndKeysPerLeg() {
        Call call = TestCalls.call(SRTP_TRUNK, ENCRYPTED_PHONE, true);
        SdesOffer audioA = offerKeys();
        SdesOffer videoA = offerKeys();
        byte[] offer = sdp("127.0.0.15", List.of(section("m=audio 4000 RTP/SAVP 0", audioA.sdpLines()),
                section("m=video 4002 RTP/SAVP 96", videoA.sdpLines())));
        List<List<String>> towardsB = sections(rewriter.rewrite(call, Call.Side.A, offer));
        assertEquals(2, towardsB.size());
        for (List<String> s : towardsB) {
            assertTrue(s.get(0).contains(" RTP/SAVP "), s.get(0));
            assertNotEquals(0, port(s), "each stream anchored: " + s);
            assertFalse(crypto(s).isEmpty(), "each stream offered with keys: " + s);
        }
        assertNotEquals(port(towardsB.get(0)), port(towardsB.get(1)));
        List<RelaySession> sessions = rewriter.relaySessions(call);
        assertEquals(2, sessions.size());
        assertNotEquals(sessions.get(0), sessions.get(1), "a session per stream");
        assertEquals(2, relay.activeSessions());

        SdesOffer audioB = offerKeys();
        SdesOffer videoB = offerKeys();
        byte[] answer = sdp("127.0.0.19", List.of(section("m=audio 5000 RTP/SAVP 0", List.of(audioB.sdpLines().get(0))),
                section("m=video 5002 RTP/SAVP 96", List.of(videoB.sdpLines().get(0)))));
        List<List<String>> towardsA = sections(rewriter.rewrite(call, Call.Side.B, answer));
        assertEquals(2, towardsA.size());
        assertTrue(audioA.accept(crypto(towardsA.get(0)).get(0)).isSecured());
        assertTrue(videoA.accept(crypto(towardsA.get(1)).get(0)).isSecured());
        Set<String> keys = new HashSet<>();
        for (List<String> s : List.of(towardsA.get(0), towardsA.get(1), towardsB.get(0), towardsB.get(1))) {
            keys.add(crypto(s).get(0).split("\\s+")[2]);
        }
        assertEquals(4, keys.size(), "each stream and leg has a key of its own");
        assertEquals(Set.of(port(towardsA.get(0)), port(towardsA.get(1))),
                Set.of(sessions.get(0).leg(org.sipshield.media.RelaySide.A).localRtpPort(),
                        sessions.get(1).leg(org.sipshield.media.RelaySide.A).localRtpPort()));
        rewriter.release(call);
        assertEquals(0, relay.activeSessions());
    }

    @Test
    void aUdpApplicationStreamIsAnchoredPlainAndATcpOneOrAnUnknownOneIsDeclined() {
        Call call = TestCalls.call(RTP_TRUNK, RTP_TRUNK, false);
        byte[] offer = sdp("127.0.0.15", List.of(section("m=audio 4000 RTP/AVP 0", List.of()),
                section("m=application 4010 UDP/BFCP *", List.of("a=floorctrl:c-s", "a=confid:1", "a=userid:2")),
                section("m=application 4020 TCP/BFCP *", List.of("a=setup:actpass", "a=connection:new")),
                section("m=application 4030 TCP/TLS/BFCP *", List.of()),
                section("m=video 4040 UDP/TLS/RTP/SAVPF 96", List.of("a=fingerprint:sha-256 AB:CD")),
                section("m=hologram 4050 QUANTUM/9 x", List.of()),
                section("m=message 4060 TCP/MSRP *", List.of("a=path:msrp://127.0.0.15:4060/s;tcp"))));
        List<List<String>> towardsB = sections(assertDoesNotThrow(() -> rewriter.rewrite(call, Call.Side.A, offer)));
        assertEquals(7, towardsB.size(), "every m= line keeps its place");
        assertNotEquals(0, port(towardsB.get(0)));
        assertNotEquals(0, port(towardsB.get(1)), "UDP/BFCP is anchored");
        assertEquals("m=application " + port(towardsB.get(1)) + " UDP/BFCP *", towardsB.get(1).get(0));
        assertTrue(lines(toBytes(towardsB.get(1)), "a=rtcp").isEmpty(), "no RTCP for a stream that is not RTP");
        for (int i = 2; i < 7; i++) {
            assertEquals(0, port(towardsB.get(i)), "declined: " + towardsB.get(i));
        }
        String out = String.join("\n", towardsB.stream().flatMap(List::stream).toList());
        assertFalse(out.contains("127.0.0.15"), "no stream points at the caller:\n" + out);
        assertEquals(2, relay.activeSessions());

        byte[] answer = sdp("127.0.0.19", List.of(section("m=audio 5000 RTP/AVP 0", List.of()),
                section("m=application 5010 UDP/BFCP *", List.of("a=floorctrl:s-only")),
                section("m=application 0 TCP/BFCP *", List.of()), section("m=application 0 TCP/TLS/BFCP *", List.of()),
                section("m=video 0 UDP/TLS/RTP/SAVPF 96", List.of()), section("m=hologram 0 QUANTUM/9 x", List.of()),
                section("m=message 0 TCP/MSRP *", List.of())));
        List<List<String>> towardsA = sections(rewriter.rewrite(call, Call.Side.B, answer));
        assertNotEquals(0, port(towardsA.get(1)));
        for (int i = 2; i < 7; i++) {
            assertEquals(0, port(towardsA.get(i)), "declined: " + towardsA.get(i));
        }
        rewriter.release(call);
    }

    @Test
    void anOfferWithFiftyStreamsTakesAtMostTheCapAndDeclinesTheRest() {
        Call call = TestCalls.call(RTP_TRUNK, RTP_TRUNK, false);
        int freeBefore = relay.freePortPairs();
        List<List<String>> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(section("m=" + (i == 0 ? "audio" : "video") + " " + (4000 + 2 * i) + " RTP/AVP 0", List.of()));
        }
        List<List<String>> towardsB = sections(rewriter.rewrite(call, Call.Side.A, sdp("127.0.0.15", many)));
        assertEquals(50, towardsB.size());
        long anchored = towardsB.stream().filter(s -> port(s) != 0).count();
        assertEquals(CallMedia.MAX_STREAMS, anchored);
        for (int i = CallMedia.MAX_STREAMS; i < 50; i++) {
            assertEquals(0, port(towardsB.get(i)), "beyond the cap: declined");
        }
        assertEquals(CallMedia.MAX_STREAMS, relay.activeSessions());
        assertEquals(2 * CallMedia.MAX_STREAMS, freeBefore - relay.freePortPairs(), "two port pairs per anchored stream");
        rewriter.release(call);
        assertEquals(freeBefore, relay.freePortPairs());
    }

    /** Offers the far end never answers (a refused re-INVITE) cannot pile up sessions beyond the cap either. */
    @Test
    void unansweredReOffersWithNewStreamsStayWithinTheCap() {
        Call call = TestCalls.call(RTP_TRUNK, RTP_TRUNK, false);
        int freeBefore = relay.freePortPairs();
        for (int round = 0; round < 4; round++) {
            List<List<String>> offer = new ArrayList<>();
            for (int i = 0; i < 6 * (round + 1); i++) {
                boolean mine = i >= 6 * round; // the earlier rounds' streams are set to port 0 in this one
                offer.add(section("m=video " + (mine ? 4000 + 2 * i : 0) + " RTP/AVP 96", List.of()));
            }
            rewriter.rewrite(call, round % 2 == 0 ? Call.Side.A : Call.Side.B, sdp("127.0.0.15", offer));
        }
        assertTrue(relay.activeSessions() <= CallMedia.MAX_STREAMS, relay.activeSessions() + " sessions");
        assertTrue(freeBefore - relay.freePortPairs() <= 2 * CallMedia.MAX_STREAMS);
        rewriter.release(call);
        assertEquals(freeBefore, relay.freePortPairs());
    }

    @Test
    void aReOfferKeepsEachStreamsPortsAnchorsAnAddedStreamAndReleasesADisabledOne() {
        Call call = TestCalls.call(RTP_TRUNK, RTP_TRUNK, false);
        List<List<String>> first = exchange(call, List.of("m=audio 4000 RTP/AVP 0", "m=video 4002 RTP/AVP 96"),
                List.of("m=audio 5000 RTP/AVP 0", "m=video 5002 RTP/AVP 96"));
        int freeAfterFirst = relay.freePortPairs();

        List<List<String>> second = exchange(call,
                List.of("m=audio 4000 RTP/AVP 0", "m=video 4002 RTP/AVP 96", "m=application 4010 UDP/BFCP *"),
                List.of("m=audio 5000 RTP/AVP 0", "m=video 5002 RTP/AVP 96", "m=application 5010 UDP/BFCP *"));
        assertEquals(port(first.get(0)), port(second.get(0)), "audio keeps its relay port");
        assertEquals(port(first.get(1)), port(second.get(1)), "video keeps its relay port");
        assertNotEquals(0, port(second.get(2)), "the stream added is anchored");
        assertEquals(2, freeAfterFirst - relay.freePortPairs());

        List<List<String>> third = exchange(call,
                List.of("m=audio 4000 RTP/AVP 0", "m=video 0 RTP/AVP 96", "m=application 4010 UDP/BFCP *"),
                List.of("m=audio 5000 RTP/AVP 0", "m=video 0 RTP/AVP 96", "m=application 5010 UDP/BFCP *"));
        assertEquals(0, port(third.get(1)));
        assertEquals(port(first.get(0)), port(third.get(0)));
        assertEquals(port(second.get(2)), port(third.get(2)));
        assertNull(rewriter.relaySessions(call).get(1), "the disabled video has no session");
        assertEquals(2, relay.activeSessions());
        assertEquals(freeAfterFirst, relay.freePortPairs(), "video's pairs went back, BFCP holds two");

        // the answerer disabling a stream releases it too
        List<List<String>> fourth = exchange(call,
                List.of("m=audio 4000 RTP/AVP 0", "m=video 0 RTP/AVP 96", "m=application 4010 UDP/BFCP *"),
                List.of("m=audio 5000 RTP/AVP 0", "m=video 0 RTP/AVP 96", "m=application 0 UDP/BFCP *"));
        assertEquals(0, port(fourth.get(2)));
        assertEquals(1, relay.activeSessions());
        assertNotNull(rewriter.relaySessions(call).get(0));
        rewriter.release(call);
    }

    /** rtcp-mux is each stream's own: offered on every stream we offer, answered only where the offerer offered it. */
    @Test
    void rtcpMuxIsAnsweredPerStream() {
        Call call = TestCalls.call(RTP_TRUNK, RTP_TRUNK, false);
        List<List<String>> towardsB = sections(rewriter.rewrite(call, Call.Side.A, sdp("127.0.0.15", List.of(
                section("m=audio 4000 RTP/AVP 0", List.of("a=rtcp-mux")), section("m=video 4002 RTP/AVP 96", List.of())))));
        for (List<String> s : towardsB) {
            assertTrue(s.contains("a=rtcp-mux") && s.stream().anyMatch(l -> l.startsWith("a=rtcp:")), s.toString());
        }
        List<List<String>> towardsA = sections(rewriter.rewrite(call, Call.Side.B, sdp("127.0.0.19", List.of(
                section("m=audio 5000 RTP/AVP 0", List.of("a=rtcp-mux")), section("m=video 5002 RTP/AVP 96", List.of("a=rtcp-mux"))))));
        assertTrue(towardsA.get(0).contains("a=rtcp-mux"), "audio: offered with rtcp-mux");
        assertFalse(towardsA.get(1).contains("a=rtcp-mux"), "video: offered without");
        rewriter.release(call);
    }

    @Test
    void anEncryptedPhonesVideoWithoutCryptoIsDeclinedAndItsAudioGoesOn() {
        Call call = TestCalls.call(ENCRYPTED_PHONE, RTP_TRUNK, false);
        byte[] offer = sdp("127.0.0.15", List.of(section("m=audio 4000 RTP/SAVP 0", offerKeys().sdpLines()),
                section("m=video 4002 RTP/AVP 96", List.of())));
        List<List<String>> towardsB = sections(rewriter.rewrite(call, Call.Side.A, offer));
        assertNotEquals(0, port(towardsB.get(0)));
        assertEquals(0, port(towardsB.get(1)), "an Encrypted phone's media never crosses in the clear");
        List<List<String>> towardsA = sections(rewriter.rewrite(call, Call.Side.B, sdp("127.0.0.19",
                List.of(section("m=audio 5000 RTP/AVP 0", List.of()), section("m=video 0 RTP/AVP 96", List.of())))));
        assertEquals(1, crypto(towardsA.get(0)).size());
        assertEquals(0, port(towardsA.get(1)));
        assertEquals(1, relay.activeSessions());
        rewriter.release(call);
    }

    /** One offer from A and its answer from B (plain RTP), each given as its m= lines; what A got back. */
    private List<List<String>> exchange(Call call, List<String> offered, List<String> answered) {
        rewriter.rewrite(call, Call.Side.A, sdp("127.0.0.15", offered.stream().map(m -> section(m, List.of())).toList()));
        return sections(rewriter.rewrite(call, Call.Side.B,
                sdp("127.0.0.19", answered.stream().map(m -> section(m, List.of())).toList())));
    }

    private static byte[] toBytes(List<String> section) {
        return bytes(String.join("\r\n", section) + "\r\n");
    }
}
