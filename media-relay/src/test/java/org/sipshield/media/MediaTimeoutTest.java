package org.sipshield.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipshield.srtp.SrtpEngine;
import org.sipshield.testing.MutableClock;
import org.sipshield.testing.RtpPackets;

/**
 * The media timeout on a relay whose clock the test moves: an hour of silence is the clock moved
 * by an hour, so nothing here waits for real silence (only for the relay's periodic check, at most
 * a second, to see the moved clock). Were the relay reading real time, no session would end.
 */
class MediaTimeoutTest {
    private static final int PORT_MIN = 31000;
    private static final Duration HOUR = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private MediaRelay relay;

    private MediaRelay start(MediaRelayOptions options) {
        relay = MediaRelay.start(options.withMediaTimeout(HOUR), clock::nanos);
        return relay;
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void aSessionOnHoldOutlivesTheMediaTimeoutAndTakenOffHoldTimesOutAgain() throws Exception {
        MediaRelay quick = start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(),
                new PortRange(PORT_MIN + 400, PORT_MIN + 403)));
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain()) {
            CompletableFuture<String> timedOut = new CompletableFuture<>();
            CompletableFuture<SessionReport> ended = new CompletableFuture<>();
            quick.onSessionEnded(ended::complete);
            RelaySession session = quick.openSession("call 12", (s, reason) -> timedOut.complete(reason));
            session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
            session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            session.hold(true);
            assertTrue(session.isOnHold());
            // the relay's own check finds the silence longer than the timeout, and keeps the call
            clock.advance(HOUR.plusSeconds(1));
            for (int i = 0; i < 1000 && quick.silencesToleratedOnHold() == 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(1, quick.silencesToleratedOnHold());
            assertFalse(session.isClosed(), "a call on hold is not ended by silence");
            assertFalse(timedOut.isDone());

            // off hold: media flows, and silence ends the call again
            session.hold(false);
            byte[] sent = RtpPackets.g711(4, 1, 0);
            SrtpEndpoint.send(a.rtp, sent, session.leg(RelaySide.A).localRtpPort());
            assertArrayEquals(sent, SrtpEndpoint.receive(b.rtp));
            clock.advance(HOUR.plusSeconds(1));
            assertEquals("no media for 3600 s", timedOut.get(10, TimeUnit.SECONDS));
            assertTrue(session.isClosed());
            SessionReport report = ended.get(10, TimeUnit.SECONDS);
            assertEquals("call 12", report.label());
            assertEquals(1, report.leg(RelaySide.A).packetsIn());
            assertEquals(1, report.leg(RelaySide.B).packetsOut());
        }
    }

    @Test
    void silenceEndsTheSessionAndReturnsItsPorts() throws Exception {
        MediaRelay quick = start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(),
                new PortRange(PORT_MIN + 200, PORT_MIN + 203)));
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain()) {
            CompletableFuture<String> timedOut = new CompletableFuture<>();
            RelaySession session = quick.openSession("call 6", (s, reason) -> timedOut.complete(s.label() + ": " + reason));
            assertEquals(0, quick.freePortPairs());
            assertThrows(MediaPortsExhaustedException.class, () -> quick.openSession("call 7", null));
            session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
            session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            clock.advance(HOUR);
            assertEquals("call 6: no media for 3600 s", timedOut.get(10, TimeUnit.SECONDS));
            assertTrue(session.isClosed());
            awaitFreePortPairs(quick, 2);
            quick.openSession("call 8", null).close();
        }
    }

    /** A call's other streams (video paused, BFCP between floor requests) may stay silent: only closing ends them. */
    @Test
    void aSessionWhoseSilenceMayLastOutlivesTheMediaTimeout() throws Exception {
        MediaRelay quick = start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(),
                new PortRange(PORT_MIN + 600, PORT_MIN + 607)));
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain()) {
            CompletableFuture<String> audioTimedOut = new CompletableFuture<>();
            RelaySession audio = quick.openSession("call 30 audio", (s, reason) -> audioTimedOut.complete(reason));
            RelaySession video = quick.openSessionSilenceMayLast("call 30 video");
            for (RelaySession session : List.of(audio, video)) {
                session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
                session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            }
            clock.advance(HOUR.plusSeconds(1));
            // the audio session's end proves the sweep ran over the moved clock; the video one was never in it
            assertEquals("no media for 3600 s", audioTimedOut.get(10, TimeUnit.SECONDS));
            assertFalse(video.isClosed());
            byte[] sent = RtpPackets.g711(5, 1, 0);
            SrtpEndpoint.send(a.rtp, sent, video.leg(RelaySide.A).localRtpPort());
            assertArrayEquals(sent, SrtpEndpoint.receive(b.rtp), "the silent stream still carries media");
            video.close();
            awaitFreePortPairs(quick, 4);
        }
    }

    /**
     * One sweep per event loop checks every session's silence: sessions leave it as they time out
     * (each leaving place taken by another), and the one still in it keeps being checked.
     */
    @Test
    void silentSessionsOfOneLoopTimeOutWhileTheOneWithMediaGoesOnUntilItsOwnSilence() throws Exception {
        MediaRelay quick = start(new MediaRelayOptions(InetAddress.getLoopbackAddress(),
                new PortRange(PORT_MIN + 500, PORT_MIN + 515), HOUR, LatchingPolicy.SIGNALLED_ADDRESS,
                SrtpEngine.OPENSSL, 1, 0));
        List<SrtpEndpoint> endpoints = new ArrayList<>();
        try {
            Map<String, CompletableFuture<Long>> timedOutAt = new LinkedHashMap<>();
            List<RelaySession> sessions = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                SrtpEndpoint a = SrtpEndpoint.plain();
                SrtpEndpoint b = SrtpEndpoint.plain();
                endpoints.add(a);
                endpoints.add(b);
                CompletableFuture<Long> at = new CompletableFuture<>();
                timedOutAt.put("call " + i, at);
                RelaySession session = quick.openSession("call " + i, (s, reason) -> at.complete(clock.nanos()));
                session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
                session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
                sessions.add(session);
            }
            // call 1 (neither first nor last in the sweep) has a packet every 0.6 hour; the others are silent
            SrtpEndpoint talker = endpoints.get(2);
            SrtpEndpoint listener = endpoints.get(3);
            Duration gap = HOUR.multipliedBy(6).dividedBy(10);
            int seq = 0;
            for (int i = 0; i < 2; i++) {
                talk(talker, listener, sessions.get(1), ++seq);
                clock.advance(gap);
            }
            for (String silent : List.of("call 0", "call 2", "call 3")) {
                timedOutAt.get(silent).get(10, TimeUnit.SECONDS); // 1.2 hours of silence, while call 1 talks on
            }
            for (int i = 0; i < 3; i++) {
                talk(talker, listener, sessions.get(1), ++seq);
                clock.advance(gap);
            }
            talk(talker, listener, sessions.get(1), ++seq);
            long mediaStopped = clock.nanos();
            for (String silent : List.of("call 0", "call 2", "call 3")) {
                assertTrue(timedOutAt.get(silent).get(10, TimeUnit.SECONDS) < mediaStopped, silent + " timed out while call 1 talked");
            }
            assertFalse(sessions.get(1).isClosed(), "call 1 had media");
            clock.advance(HOUR);
            assertTrue(timedOutAt.get("call 1").get(10, TimeUnit.SECONDS) > mediaStopped, "call 1 ends by its own silence");
            awaitFreePortPairs(quick, 8);
        } finally {
            endpoints.forEach(SrtpEndpoint::close);
        }
    }

    /** One packet through the session, seen at its far end: the relay has counted it as media by then. */
    private static void talk(SrtpEndpoint talker, SrtpEndpoint listener, RelaySession session, int seq) throws Exception {
        SrtpEndpoint.send(talker.rtp, RtpPackets.g711(seq, seq * 160, 0), session.leg(RelaySide.A).localRtpPort());
        SrtpEndpoint.receive(listener.rtp);
    }

    private static void awaitFreePortPairs(MediaRelay relay, int pairs) throws InterruptedException {
        for (int i = 0; i < 500 && relay.freePortPairs() != pairs; i++) {
            Thread.sleep(10);
        }
        assertEquals(pairs, relay.freePortPairs());
    }
}
