package org.sipshield.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.RtpPackets;
import org.slf4j.LoggerFactory;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SdesSelection;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpKeyManager;

/**
 * The relay with real sockets on 127.0.0.1 and real SRTP: the endpoints run libsrtp2, the relay
 * our OpenSSL core, each leg negotiated with its own fresh keys.
 */
class MediaRelayTest {
    private static final SrtpKeyManager KEYS = new SrtpKeyManager();
    private static final SrtpCipherPolicy GCM_256 = SrtpCipherPolicy.STRONGEST;
    private static final SrtpCipherPolicy CM_128_80 = SrtpCipherPolicy.of(List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
    private static final int PORT_MIN = 31000;

    private MediaRelay relay;

    /** A datagram longer than a slot is cut by the kernel: it is dropped and counted, never forwarded in part. */
    @Test
    void aDatagramTooLongForItsSlotIsDroppedAndTheCallGoesOn() throws Exception {
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain();
                RelaySession session = relay.openSession("call 10", null)) {
            session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
            session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            int toRelay = session.leg(RelaySide.A).localRtpPort();
            byte[] huge = java.util.Arrays.copyOf(RtpPackets.g711(7, 1, 0), MediaRelay.DATAGRAM_SLOT + 100);
            SrtpEndpoint.send(a.rtp, huge, toRelay);
            awaitTrue(() -> session.counters(RelaySide.A).droppedOther() == 1);
            byte[] sent = RtpPackets.g711(7, 2, 0);
            SrtpEndpoint.send(a.rtp, sent, toRelay);
            assertArrayEquals(sent, SrtpEndpoint.receive(b.rtp));
            assertEquals(1, session.counters(RelaySide.A).packetsIn());
        }
    }

    /**
     * A packet the kernel will not take (here: an IPv6 peer for the relay's IPv4 socket) is counted
     * as not sent on the leg it was for, never as sent; the next packet to a reachable peer goes.
     */
    @Test
    void aPacketTheKernelRefusesCountsAsNotSentAndTheNextStillGoes() throws Exception {
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain();
                RelaySession session = relay.openSession("call 11", null)) {
            session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
            InetSocketAddress unreachable = new InetSocketAddress(InetAddress.getByName("::1"), 9);
            session.configure(RelaySide.B, LegMedia.plainRtp(unreachable, unreachable, false));
            int toRelay = session.leg(RelaySide.A).localRtpPort();
            SrtpEndpoint.send(a.rtp, RtpPackets.g711(7, 1, 0), toRelay);
            awaitTrue(() -> session.counters(RelaySide.B).notSent() == 1);
            assertEquals(0, session.counters(RelaySide.B).packetsOut());
            assertEquals(1, session.counters(RelaySide.B).dropped());

            session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            byte[] sent = RtpPackets.g711(7, 2, 0);
            SrtpEndpoint.send(a.rtp, sent, toRelay);
            assertArrayEquals(sent, SrtpEndpoint.receive(b.rtp));
            assertEquals(1, session.counters(RelaySide.B).packetsOut());
            assertEquals(1, session.counters(RelaySide.B).notSent());
        }
    }

    @BeforeEach
    void start() throws Exception {
        relay = MediaRelay.start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(PORT_MIN, PORT_MIN + 99))
                .withMediaTimeout(Duration.ofSeconds(60)));
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    /** Both sides of one leg's SDES: the endpoint offers, the relay answers under ALL. */
    private record Negotiated(SdesSelection relaySide, SdesSelection endpointSide) {}

    private static Negotiated endpointOffers(SrtpCipherPolicy endpointPolicy) {
        SdesOffer offer = new SdesNegotiator(endpointPolicy, KEYS).createOffer();
        SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(offer.sdpLines());
        SdesSelection endpoint = offer.accept(answer.answerLine().orElseThrow()).selection().orElseThrow();
        return new Negotiated(answer.selection().orElseThrow(), endpoint);
    }

    /** The relay offers what its leg allows, the endpoint answers. */
    private static Negotiated relayOffers(SrtpCipherPolicy legPolicy) {
        SdesOffer offer = new SdesNegotiator(legPolicy, KEYS).createOffer();
        SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.ALL, KEYS).answer(offer.sdpLines());
        SdesSelection relaySide = offer.accept(answer.answerLine().orElseThrow()).selection().orElseThrow();
        return new Negotiated(relaySide, answer.selection().orElseThrow());
    }

    /**
     * With the event loop held, every socket of two calls fills up; released, the loop finds them
     * all ready and re-keys what it reads as bursts. Each packet still meets the fate it would
     * have met alone: the first authentic packet latches (a copy from elsewhere right behind it is
     * foreign, never unprotected, so the real one is no replay), a forged one and a replay are
     * counted, the rest arrive in order on both calls.
     */
    @Test
    void packetsReadTogetherFromManySocketsEachKeepTheirOwnFate() throws Exception {
        MediaRelayOptions d = MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(PORT_MIN + 200, PORT_MIN + 299));
        try (MediaRelay oneLoop = MediaRelay.start(new MediaRelayOptions(d.bindAddress(), d.ports(), Duration.ofSeconds(60),
                d.latching(), d.engine(), 1, 0))) {
            Negotiated call1A = endpointOffers(GCM_256);
            Negotiated call1B = relayOffers(CM_128_80);
            Negotiated call2A = endpointOffers(CM_128_80);
            Negotiated call2B = relayOffers(GCM_256);
            try (SrtpEndpoint a1 = SrtpEndpoint.srtp(call1A.endpointSide()); SrtpEndpoint b1 = SrtpEndpoint.srtp(call1B.endpointSide());
                    SrtpEndpoint a2 = SrtpEndpoint.srtp(call2A.endpointSide()); SrtpEndpoint b2 = SrtpEndpoint.srtp(call2B.endpointSide());
                    SrtpEndpoint elsewhere = SrtpEndpoint.plain();
                    RelaySession call1 = oneLoop.openSession("call 1", null); RelaySession call2 = oneLoop.openSession("call 2", null)) {
                call1.configure(RelaySide.A, LegMedia.srtp(a1.rtpAddress(), a1.rtcpAddress(), false, call1A.relaySide()));
                call1.configure(RelaySide.B, LegMedia.srtp(b1.rtpAddress(), b1.rtcpAddress(), false, call1B.relaySide()));
                call2.configure(RelaySide.A, LegMedia.srtp(a2.rtpAddress(), a2.rtcpAddress(), true, call2A.relaySide()));
                call2.configure(RelaySide.B, LegMedia.srtp(b2.rtpAddress(), b2.rtcpAddress(), true, call2B.relaySide()));
                int to1A = call1.leg(RelaySide.A).localRtpPort();
                int to2A = call2.leg(RelaySide.A).localRtpPort();
                int to2B = call2.leg(RelaySide.B).localRtpPort();

                java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                call1.loop().execute(() -> {
                    held.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertTrue(held.await(10, TimeUnit.SECONDS));
                byte[][] wire1 = new byte[6][];
                for (int seq = 1; seq <= 5; seq++) {
                    wire1[seq] = a1.protectRtp(RtpPackets.g711(0x1111, seq, 0));
                }
                byte[] forged = wire1[3].clone();
                forged[40] ^= 1;
                SrtpEndpoint.send(a1.rtp, wire1[1], to1A);
                SrtpEndpoint.send(elsewhere.rtp, wire1[2], to1A);  // an authentic copy from another address
                SrtpEndpoint.send(a1.rtp, wire1[2], to1A);
                SrtpEndpoint.send(a1.rtp, forged, to1A);
                SrtpEndpoint.send(a1.rtp, wire1[2], to1A);  // replay
                SrtpEndpoint.send(a1.rtp, wire1[4], to1A);
                SrtpEndpoint.send(a1.rtp, wire1[5], to1A);
                for (int seq = 1; seq <= 5; seq++) {
                    SrtpEndpoint.send(a2.rtp, a2.protectRtp(RtpPackets.g711(0x2222, seq, 0)), to2A);
                    SrtpEndpoint.send(b2.rtp, b2.protectRtp(RtpPackets.g711(0x3333, seq, 0)), to2B);
                }
                SrtpEndpoint.send(b2.rtp, b2.protectRtcp(SrtpEndpoint.rtcpReceiverReport(0x3333)), to2B);  // rtcp-mux
                release.countDown();

                for (int seq : new int[] {1, 2, 4, 5}) {
                    assertArrayEquals(RtpPackets.g711(0x1111, seq, 0), b1.unprotectRtp(SrtpEndpoint.receive(b1.rtp)));
                }
                for (int seq = 1; seq <= 5; seq++) {
                    assertArrayEquals(RtpPackets.g711(0x2222, seq, 0), b2.unprotectRtp(SrtpEndpoint.receive(b2.rtp)));
                    assertArrayEquals(RtpPackets.g711(0x3333, seq, 0), a2.unprotectRtp(SrtpEndpoint.receive(a2.rtp)));
                }
                assertArrayEquals(SrtpEndpoint.rtcpReceiverReport(0x3333), a2.unprotectRtcp(SrtpEndpoint.receive(a2.rtp)));
                LegCounters c1 = call1.counters(RelaySide.A);
                assertEquals(new LegCounters(4, 4 * 172, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0), c1);
                assertEquals(4, call1.counters(RelaySide.B).packetsOut());
                assertEquals(6, call2.counters(RelaySide.B).packetsIn());
                assertEquals(0, call2.counters(RelaySide.A).dropped() + call2.counters(RelaySide.B).dropped());
            }
        }
    }

    @Test
    void reKeysGcm256OnLegAIntoAesCm128OnLegBAndBack() throws Exception {
        Negotiated legA = endpointOffers(GCM_256);
        Negotiated legB = relayOffers(CM_128_80);
        assertEquals(CryptoSuite.AEAD_AES_256_GCM, legA.relaySide().suite());
        assertEquals(CryptoSuite.AES_CM_128_HMAC_SHA1_80, legB.relaySide().suite());
        try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.srtp(legB.endpointSide());
                RelaySession session = relay.openSession("call 1", null)) {
            session.configure(RelaySide.A, LegMedia.srtp(a.rtpAddress(), a.rtcpAddress(), false, legA.relaySide()));
            session.configure(RelaySide.B, LegMedia.srtp(b.rtpAddress(), b.rtcpAddress(), false, legB.relaySide()));
            int toRelayA = session.leg(RelaySide.A).localRtpPort();
            int toRelayB = session.leg(RelaySide.B).localRtpPort();
            for (int seq = 1; seq <= 50; seq++) {
                byte[] sent = RtpPackets.g711(0x11111111, seq, 0);
                byte[] wire = a.protectRtp(sent);
                assertEquals(172 + 16, wire.length);
                SrtpEndpoint.send(a.rtp, wire, toRelayA);
                byte[] arrived = SrtpEndpoint.receive(b.rtp);
                assertEquals(172 + 10, arrived.length, "leg B carries AES_CM_128_HMAC_SHA1_80's 80-bit tag");
                assertFalse(java.util.Arrays.equals(sent, 12, 172, arrived, 12, 172), "payload is encrypted on leg B");
                assertArrayEquals(sent, b.unprotectRtp(arrived), "leg B decrypts exactly what leg A's phone sent");
            }
            // the other direction, with telephone-event (RFC 4733, payload type 101) passing through untouched
            byte[] dtmf = RtpPackets.g711(0x22222222, 7, 101);
            SrtpEndpoint.send(b.rtp, b.protectRtp(dtmf), toRelayB);
            assertArrayEquals(dtmf, a.unprotectRtp(SrtpEndpoint.receive(a.rtp)));
            // SRTCP both ways, on the RTCP ports
            byte[] rr = SrtpEndpoint.rtcpReceiverReport(0x22222222);
            SrtpEndpoint.send(b.rtcp, b.protectRtcp(rr), session.leg(RelaySide.B).localRtcpPort());
            assertArrayEquals(rr, a.unprotectRtcp(SrtpEndpoint.receive(a.rtcp)));
            byte[] rrA = SrtpEndpoint.rtcpReceiverReport(0x11111111);
            SrtpEndpoint.send(a.rtcp, a.protectRtcp(rrA), session.leg(RelaySide.A).localRtcpPort());
            assertArrayEquals(rrA, b.unprotectRtcp(SrtpEndpoint.receive(b.rtcp)));

            LegCounters countersA = session.counters(RelaySide.A);
            assertEquals(51, countersA.packetsIn());
            assertEquals(2, countersA.packetsOut());
            assertEquals(0, countersA.dropped());
            assertEquals(51, session.counters(RelaySide.B).packetsOut());
        }
    }

    /**
     * Every packet, sent from the burst's shared slots, carries its own bytes to its own peer, in
     * both directions and on the RTCP port; the sockets stay unconnected, so a foreign sender's
     * packet is still seen and counted.
     */
    @Test
    void eachPacketFromTheSharedSlotsReachesItsOwnPeer() throws Exception {
        // this kernel (Linux 6.1 or later) lets each loop receive through its ring: the path as shipped
        int[] ringAndLoops = relay.loopsReadingThroughRing();
        assertEquals(ringAndLoops[1], ringAndLoops[0], "loops reading through their ring, of all");
        eachPacketReachesItsOwnPeer(relay, "call 9");
    }

    /** The same calls where a loop has no receive ring (an older kernel, io_uring forbidden): epoll and recvmmsg. */
    @Test
    void withoutAReceiveRingEachPacketStillReachesItsOwnPeer() throws Exception {
        MediaRelayOptions d = MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(PORT_MIN + 500, PORT_MIN + 599))
                .withMediaTimeout(Duration.ofSeconds(60));
        try (MediaRelay epoll = MediaRelay.start(d, System::nanoTime, false)) {
            assertEquals(0, epoll.loopsReadingThroughRing()[0]);
            eachPacketReachesItsOwnPeer(epoll, "call 21");
        }
    }

    private static void eachPacketReachesItsOwnPeer(MediaRelay relay, String call) throws Exception {
        Negotiated legA = endpointOffers(GCM_256);
        Negotiated legB = relayOffers(CM_128_80);
        try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.srtp(legB.endpointSide());
                SrtpEndpoint foreign = SrtpEndpoint.plain(); RelaySession session = relay.openSession(call, null)) {
            session.configure(RelaySide.A, LegMedia.srtp(a.rtpAddress(), a.rtcpAddress(), false, legA.relaySide()));
            session.configure(RelaySide.B, LegMedia.srtp(b.rtpAddress(), b.rtcpAddress(), false, legB.relaySide()));
            RelayLeg relayA = session.leg(RelaySide.A);
            RelayLeg relayB = session.leg(RelaySide.B);
            for (int seq = 1; seq <= 30; seq++) {
                byte[] forward = RtpPackets.g711(0x11111111, seq, 0);
                SrtpEndpoint.send(a.rtp, a.protectRtp(forward), relayA.localRtpPort());
                assertArrayEquals(forward, b.unprotectRtp(SrtpEndpoint.receive(b.rtp)));
                byte[] back = RtpPackets.g711(0x22222222, seq, 8);
                SrtpEndpoint.send(b.rtp, b.protectRtp(back), relayB.localRtpPort());
                assertArrayEquals(back, a.unprotectRtp(SrtpEndpoint.receive(a.rtp)));
                byte[] report = SrtpEndpoint.rtcpReceiverReport(0x11111111);
                SrtpEndpoint.send(a.rtcp, a.protectRtcp(report), relayA.localRtcpPort());
                assertArrayEquals(report, b.unprotectRtcp(SrtpEndpoint.receive(b.rtcp)));
            }
            SrtpEndpoint.send(foreign.rtp, RtpPackets.g711(0x11111111, 31, 0), relayA.localRtpPort());
            awaitTrue(() -> session.counters(RelaySide.A).droppedForeign() == 1);

            assertEquals(60, session.counters(RelaySide.B).packetsOut());
            assertEquals(30, session.counters(RelaySide.A).packetsOut());
            assertEquals(91, relay.reads()[1], "every datagram read by the relay's own reads");
        }
    }

    /**
     * A leg configured with keys that cannot be opened (here: the same selection again, whose keys
     * the first configuration's sessions own and destroyed when they closed) fails closed: the
     * configuration is refused, and the leg forwards nothing, in clear or otherwise, until it is
     * configured again; the refused selection's keys are destroyed.
     */
    @Test
    void aLegWhoseKeysCannotBeOpenedForwardsNothing() throws Exception {
        Negotiated legA = endpointOffers(GCM_256);
        Negotiated legB = relayOffers(CM_128_80);
        try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.srtp(legB.endpointSide());
                RelaySession session = relay.openSession("call 2b", null)) {
            LegMedia media = LegMedia.srtp(a.rtpAddress(), a.rtcpAddress(), false, legA.relaySide());
            session.configure(RelaySide.A, media);
            session.configure(RelaySide.B, LegMedia.srtp(b.rtpAddress(), b.rtcpAddress(), false, legB.relaySide()));
            int toRelay = session.leg(RelaySide.A).localRtpPort();
            SrtpEndpoint.send(a.rtp, a.protectRtp(RtpPackets.g711(1, 1, 0)), toRelay);
            assertArrayEquals(RtpPackets.g711(1, 1, 0), b.unprotectRtp(SrtpEndpoint.receive(b.rtp)));

            assertThrows(RuntimeException.class, () -> session.configure(RelaySide.A, media));

            SrtpEndpoint.send(a.rtp, a.protectRtp(RtpPackets.g711(1, 2, 0)), toRelay);
            SrtpEndpoint.send(a.rtp, RtpPackets.g711(1, 3, 0), toRelay); // in clear, from the latched address
            b.rtp.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> SrtpEndpoint.receive(b.rtp), "nothing reached leg B");
            assertEquals(1, session.counters(RelaySide.B).packetsOut());
            assertEquals(1, session.counters(RelaySide.A).packetsIn());
        }
    }

    @Test
    void tamperedTagAndReplayAreDroppedAndCountedAndTheCallGoesOn() throws Exception {
        Negotiated legA = endpointOffers(GCM_256);
        Negotiated legB = relayOffers(CM_128_80);
        try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.srtp(legB.endpointSide());
                RelaySession session = relay.openSession("call 2", null)) {
            session.configure(RelaySide.A, LegMedia.srtp(a.rtpAddress(), a.rtcpAddress(), false, legA.relaySide()));
            session.configure(RelaySide.B, LegMedia.srtp(b.rtpAddress(), b.rtcpAddress(), false, legB.relaySide()));
            int toRelay = session.leg(RelaySide.A).localRtpPort();
            byte[] first = a.protectRtp(RtpPackets.g711(1, 1, 0));
            SrtpEndpoint.send(a.rtp, first, toRelay);
            assertArrayEquals(RtpPackets.g711(1, 1, 0), b.unprotectRtp(SrtpEndpoint.receive(b.rtp)));

            byte[] second = a.protectRtp(RtpPackets.g711(1, 2, 0));
            byte[] tampered = second.clone();
            tampered[tampered.length - 1] ^= 0x01;
            SrtpEndpoint.send(a.rtp, tampered, toRelay);
            SrtpEndpoint.send(a.rtp, first, toRelay); // replay
            SrtpEndpoint.send(a.rtp, second, toRelay);
            assertArrayEquals(RtpPackets.g711(1, 2, 0), b.unprotectRtp(SrtpEndpoint.receive(b.rtp)),
                    "the genuine packet after the forgeries still goes through");

            LegCounters counters = session.counters(RelaySide.A);
            assertEquals(1, counters.authFailures());
            assertEquals(1, counters.replays());
            assertEquals(2, counters.packetsIn());
            assertEquals(2, session.counters(RelaySide.B).packetsOut());
            b.rtp.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> SrtpEndpoint.receive(b.rtp), "nothing else reached leg B");
        }
    }

    @Test
    void srtpLegLatchesOnlyOnAnAuthenticatedPacket() throws Exception {
        Negotiated legA = endpointOffers(GCM_256);
        Negotiated legB = relayOffers(CM_128_80);
        try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.srtp(legB.endpointSide());
                SrtpEndpoint attacker = SrtpEndpoint.plain(); RelaySession session = relay.openSession("call 3", null)) {
            // leg A signalled an address it does not send from (NAT): the relay must learn the real one
            session.configure(RelaySide.A, LegMedia.srtp(new InetSocketAddress(SrtpEndpoint.LOOPBACK, 9),
                    null, true, legA.relaySide()));
            session.configure(RelaySide.B, LegMedia.srtp(b.rtpAddress(), b.rtcpAddress(), false, legB.relaySide()));
            int toRelay = session.leg(RelaySide.A).localRtpPort();

            byte[] forged = RtpPackets.g711(5, 1, 0);
            byte[] forgedWire = java.util.Arrays.copyOf(forged, forged.length + 16);
            SrtpEndpoint.send(attacker.rtp, forgedWire, toRelay);
            awaitTrue(() -> session.counters(RelaySide.A).authFailures() == 1);
            assertFalse(session.isLatched(RelaySide.A), "a packet that does not authenticate never moves the latch");

            SrtpEndpoint.send(a.rtp, a.protectRtp(RtpPackets.g711(5, 1, 0)), toRelay);
            b.unprotectRtp(SrtpEndpoint.receive(b.rtp));
            assertTrue(session.isLatched(RelaySide.A));

            // latched: leg B's media now goes where leg A's phone really is
            byte[] back = RtpPackets.g711(6, 1, 0);
            SrtpEndpoint.send(b.rtp, b.protectRtp(back), session.leg(RelaySide.B).localRtpPort());
            assertArrayEquals(back, a.unprotectRtp(SrtpEndpoint.receive(a.rtp)));

            // anyone else is dropped without a look, and counted
            SrtpEndpoint.send(attacker.rtp, forgedWire, toRelay);
            awaitTrue(() -> session.counters(RelaySide.A).droppedForeign() == 1);
            assertEquals(1, session.counters(RelaySide.A).authFailures());
        }
    }

    @Test
    void srtpToPlainRtpAndRtcpMuxOnTheSrtpLeg() throws Exception {
        Negotiated legA = endpointOffers(GCM_256);
        try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.plain();
                RelaySession session = relay.openSession("call 4", null)) {
            session.configure(RelaySide.A, LegMedia.srtp(a.rtpAddress(), null, true, legA.relaySide()));
            session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            byte[] sent = RtpPackets.g711(9, 100, 8);
            SrtpEndpoint.send(a.rtp, a.protectRtp(sent), session.leg(RelaySide.A).localRtpPort());
            assertArrayEquals(sent, SrtpEndpoint.receive(b.rtp), "leg B gets plain RTP");

            byte[] reply = RtpPackets.g711(10, 1, 8);
            SrtpEndpoint.send(b.rtp, reply, session.leg(RelaySide.B).localRtpPort());
            byte[] wire = SrtpEndpoint.receive(a.rtp);
            assertEquals(172 + 16, wire.length);
            assertArrayEquals(reply, a.unprotectRtp(wire));

            // rtcp-mux on leg A: SRTCP arrives on the RTP port and leaves on leg B's RTCP port as RTCP
            byte[] rr = SrtpEndpoint.rtcpReceiverReport(9);
            SrtpEndpoint.send(a.rtp, a.protectRtcp(rr), session.leg(RelaySide.A).localRtpPort());
            assertArrayEquals(rr, SrtpEndpoint.receive(b.rtcp));
            // and leg B's RTCP goes back to leg A multiplexed on its RTP port
            byte[] rrB = SrtpEndpoint.rtcpReceiverReport(10);
            SrtpEndpoint.send(b.rtcp, rrB, session.leg(RelaySide.B).localRtcpPort());
            assertArrayEquals(rrB, a.unprotectRtcp(SrtpEndpoint.receive(a.rtp)));
        }
    }

    /** What baresip 1.0.0 sends in clear on an SRTP leg (captured on lo): its pinhole APP and its closing BYE+SDES. */
    private static final byte[] BARESIP_PING = hex("80cc0003c3382aca50494e47504f4e47");
    private static final byte[] BARESIP_BYE = hex("81cb0003c3382aca0441646a6f00000081ca0008c3382aca0119"
            + "7369703a616c696365403132372e302e302e313a333331323900");

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }

    @Test
    void rtcpInClearOnAnSrtpLegIsDroppedAndCountedApartFromForgeries() throws Exception {
        Negotiated legA = endpointOffers(GCM_256);
        Negotiated legB = relayOffers(CM_128_80);
        try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.srtp(legB.endpointSide());
                RelaySession session = relay.openSession("call 11", null)) {
            // leg A multiplexes (RTCP on the RTP port, RFC 5761), leg B does not
            session.configure(RelaySide.A, LegMedia.srtp(a.rtpAddress(), null, true, legA.relaySide()));
            session.configure(RelaySide.B, LegMedia.srtp(b.rtpAddress(), b.rtcpAddress(), false, legB.relaySide()));
            int toRelayA = session.leg(RelaySide.A).localRtpPort();
            int toRelayBRtcp = session.leg(RelaySide.B).localRtcpPort();
            SrtpEndpoint.send(a.rtp, a.protectRtp(RtpPackets.g711(0xc3382aca, 1, 0)), toRelayA);
            b.unprotectRtp(SrtpEndpoint.receive(b.rtp));

            SrtpEndpoint.send(a.rtp, BARESIP_PING, toRelayA);
            SrtpEndpoint.send(a.rtp, BARESIP_BYE, toRelayA);
            SrtpEndpoint.send(b.rtcp, BARESIP_PING, toRelayBRtcp);
            awaitTrue(() -> session.counters(RelaySide.A).unprotectedRtcp() == 2 && session.counters(RelaySide.B).unprotectedRtcp() == 1);

            // genuine SRTCP still passes both ways and is counted as RTCP
            byte[] rr = SrtpEndpoint.rtcpReceiverReport(0xc3382aca);
            SrtpEndpoint.send(a.rtp, a.protectRtcp(rr), toRelayA);
            assertArrayEquals(rr, b.unprotectRtcp(SrtpEndpoint.receive(b.rtcp)));
            byte[] rrB = SrtpEndpoint.rtcpReceiverReport(0x5555);
            SrtpEndpoint.send(b.rtcp, b.protectRtcp(rrB), toRelayBRtcp);
            assertArrayEquals(rrB, a.unprotectRtcp(SrtpEndpoint.receive(a.rtp)), "back to leg A on its RTP port (rtcp-mux)");

            // a forged SRTCP packet (the right shape with a wrong tag) is still an authentication failure
            byte[] forged = a.protectRtcp(SrtpEndpoint.rtcpReceiverReport(0xc3382aca));
            forged[10] ^= 0x01;
            SrtpEndpoint.send(a.rtp, forged, toRelayA);
            byte[] forgedB = b.protectRtcp(SrtpEndpoint.rtcpReceiverReport(0x5555));
            forgedB[forgedB.length - 1] ^= 0x01;
            SrtpEndpoint.send(b.rtcp, forgedB, toRelayBRtcp);
            awaitTrue(() -> session.counters(RelaySide.A).authFailures() == 1 && session.counters(RelaySide.B).authFailures() == 1);

            LegCounters countersA = session.counters(RelaySide.A);
            LegCounters countersB = session.counters(RelaySide.B);
            assertEquals(1, countersA.rtcpPacketsIn());
            assertEquals(1, countersA.rtcpPacketsOut());
            assertEquals(1, countersB.rtcpPacketsIn());
            assertEquals(1, countersB.rtcpPacketsOut());
            assertEquals(2, countersA.unprotectedRtcp());
            assertEquals(1, countersB.unprotectedRtcp());
            assertEquals(1, countersA.authFailures());
            assertEquals(0, countersA.droppedOther() + countersB.droppedOther(), "each drop has its own counter");
            b.rtcp.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> SrtpEndpoint.receive(b.rtcp), "nothing in clear reached leg B");
        }
    }

    @Test
    void theClearRtcpShapeIsExact() {
        java.nio.ByteBuffer ping = java.nio.ByteBuffer.wrap(BARESIP_PING);
        assertTrue(RtcpInClear.looksLikePlainRtcp(ping, 0, 16));
        assertFalse(RtcpInClear.looksLikePlainRtcp(ping, 0, 12), "lengths must add up to the datagram");
        java.nio.ByteBuffer bye = java.nio.ByteBuffer.wrap(BARESIP_BYE);
        assertTrue(RtcpInClear.looksLikePlainRtcp(bye, 0, BARESIP_BYE.length), "a compound packet");
        byte[] withTrailer = java.util.Arrays.copyOf(BARESIP_PING, 16 + 14);
        withTrailer[16] = (byte) 0x80;
        assertFalse(RtcpInClear.looksLikePlainRtcp(java.nio.ByteBuffer.wrap(withTrailer), 0, withTrailer.length),
                "an SRTCP index and tag after the RTCP packet");
        byte[] rtp = RtpPackets.g711(1, 1, 0);
        assertFalse(RtcpInClear.looksLikePlainRtcp(java.nio.ByteBuffer.wrap(rtp), 0, rtp.length));
    }

    @Test
    void plainRtpLegLatchesOnTheSignalledAddressOnly() throws Exception {
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain(); SrtpEndpoint stranger = SrtpEndpoint.plain();
                RelaySession session = relay.openSession("call 5", null)) {
            session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
            session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            int toRelay = session.leg(RelaySide.A).localRtpPort();
            SrtpEndpoint.send(stranger.rtp, RtpPackets.g711(3, 1, 0), toRelay);
            awaitTrue(() -> session.counters(RelaySide.A).droppedForeign() == 1);
            assertFalse(session.isLatched(RelaySide.A));
            byte[] sent = RtpPackets.g711(4, 1, 0);
            SrtpEndpoint.send(a.rtp, sent, toRelay);
            assertArrayEquals(sent, SrtpEndpoint.receive(b.rtp), "RTP to RTP passes unchanged");
            assertTrue(session.isLatched(RelaySide.A));
        }
    }

    /**
     * A UDP stream that is not RTP (BFCP over UDP, T.38's udptl) crosses as it came: its datagrams
     * need not look like RTP. The same datagram on an RTP leg is dropped as not RTP.
     */
    @Test
    void datagramsOfAStreamThatIsNotRtpCrossUnchangedAndOnAnRtpLegAreDropped() throws Exception {
        byte[] bfcp = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x0A, 0x0B, 0x0C, 0x0D};
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain();
                RelaySession datagrams = relay.openSession("call 20 application", null);
                RelaySession rtp = relay.openSession("call 20 audio", null)) {
            datagrams.configure(RelaySide.A, LegMedia.datagrams(a.rtpAddress()));
            datagrams.configure(RelaySide.B, LegMedia.datagrams(b.rtpAddress()));
            SrtpEndpoint.send(a.rtp, bfcp, datagrams.leg(RelaySide.A).localRtpPort());
            assertArrayEquals(bfcp, SrtpEndpoint.receive(b.rtp), "A to B unchanged");
            SrtpEndpoint.send(b.rtp, bfcp, datagrams.leg(RelaySide.B).localRtpPort());
            assertArrayEquals(bfcp, SrtpEndpoint.receive(a.rtp), "B to A unchanged");

            rtp.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
            rtp.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            SrtpEndpoint.send(a.rtp, bfcp, rtp.leg(RelaySide.A).localRtpPort());
            awaitTrue(() -> rtp.counters(RelaySide.A).droppedOther() == 1);
            assertEquals(0, rtp.counters(RelaySide.B).packetsOut());
        }
    }

    /**
     * The relay's log lines are written in order, never by the event loop (a blocking appender
     * there would stall every call's media), and none is lost when the relay closes right after.
     */
    @Test
    void logLinesLeaveTheEventLoopInOrderAndNoneIsLostAtClose() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RelaySession.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (SrtpEndpoint a = SrtpEndpoint.plain(); SrtpEndpoint b = SrtpEndpoint.plain()) {
            RelaySession session = relay.openSession("call 12", null);
            session.configure(RelaySide.A, LegMedia.plainRtp(a.rtpAddress(), a.rtcpAddress(), false));
            session.configure(RelaySide.B, LegMedia.plainRtp(b.rtpAddress(), b.rtcpAddress(), false));
            SrtpEndpoint.send(a.rtp, RtpPackets.g711(4, 1, 0), session.leg(RelaySide.A).localRtpPort());
            SrtpEndpoint.receive(b.rtp);
            session.close();
            relay.close();
        } finally {
            logger.detachAppender(lines);
        }
        List<String> info = lines.list.stream().filter(e -> e.getLevel() == Level.INFO)
                .map(e -> e.getThreadName() + " | " + e.getFormattedMessage()).toList();
        assertEquals(2, info.size(), info.toString());
        assertTrue(info.get(0).contains("call 12: leg A :" + PORT_MIN + " latched RTP on "), info.get(0));
        assertTrue(info.get(1).contains("call 12: media ended; leg A in 1 pkt/172 B"), info.get(1));
        info.forEach(line -> assertFalse(line.startsWith(MediaRelay.EVENT_LOOP_THREADS), "written by the event loop: " + line));
    }

    @Test
    void aPortHeldByAnotherProcessIsSkipped() throws Exception {
        MediaRelay small = MediaRelay.start(MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(),
                new PortRange(PORT_MIN + 300, PORT_MIN + 307)));
        try (java.net.DatagramSocket squatter = new java.net.DatagramSocket(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT_MIN + 300));
                RelaySession session = small.openSession("call 9", null)) {
            assertEquals(PORT_MIN + 302, session.leg(RelaySide.A).localRtpPort());
            assertEquals(PORT_MIN + 304, session.leg(RelaySide.B).localRtpPort());
        } finally {
            small.close();
        }
    }

    /**
     * A phone sending a packet every 100-200 us (100-200 calls' worth on one leg) to a loop with a
     * 1 ms batch window: the loop reads them several at a time instead of waking for each, and every
     * packet still arrives, re-keyed and in order. Bounded: 1,000 packets, each awaited for 3 s at most.
     */
    @Test
    void packetsFasterThanTheBatchWindowAreReadSeveralPerWakeUpAndAllArrive() throws Exception {
        MediaRelayOptions d = MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(PORT_MIN + 400, PORT_MIN + 407));
        try (MediaRelay oneLoop = MediaRelay.start(new MediaRelayOptions(d.bindAddress(), d.ports(), Duration.ofSeconds(60),
                d.latching(), d.engine(), 1, 0, Duration.ofMillis(1)))) {
            Negotiated legA = endpointOffers(GCM_256);
            Negotiated legB = relayOffers(CM_128_80);
            try (SrtpEndpoint a = SrtpEndpoint.srtp(legA.endpointSide()); SrtpEndpoint b = SrtpEndpoint.srtp(legB.endpointSide());
                    RelaySession session = oneLoop.openSession("call 20", null)) {
                session.configure(RelaySide.A, LegMedia.srtp(a.rtpAddress(), a.rtcpAddress(), false, legA.relaySide()));
                session.configure(RelaySide.B, LegMedia.srtp(b.rtpAddress(), b.rtcpAddress(), false, legB.relaySide()));
                int toRelay = session.leg(RelaySide.A).localRtpPort();
                int packets = 1000;
                byte[][] wire = new byte[packets][];
                for (int seq = 0; seq < packets; seq++) {
                    wire[seq] = a.protectRtp(RtpPackets.g711(0x2020, seq + 1, 0));
                }
                long[] before = oneLoop.reads();
                byte[][] arrived = new byte[packets][];
                java.util.concurrent.ExecutorService phone = java.util.concurrent.Executors.newSingleThreadExecutor();
                try {
                    java.util.concurrent.Future<?> sending = phone.submit(() -> {
                        for (byte[] packet : wire) {
                            SrtpEndpoint.send(a.rtp, packet, toRelay);
                            // 100 us and the timer's slack: 5,000-10,000 packets/s, five or more per window
                            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                        }
                        return null;
                    });
                    // taken off the socket as they come (checked after), so that its buffer never fills
                    for (int seq = 0; seq < packets; seq++) {
                        try {
                            arrived[seq] = SrtpEndpoint.receive(b.rtp);
                        } catch (SocketTimeoutException e) {
                            throw new AssertionError(seq + " of " + packets + " packets came; leg A " + session.counters(RelaySide.A)
                                    + ", leg B " + session.counters(RelaySide.B), e);
                        }
                    }
                    sending.get(10, TimeUnit.SECONDS);
                } finally {
                    phone.shutdownNow();
                }
                for (int seq = 0; seq < packets; seq++) {
                    assertArrayEquals(RtpPackets.g711(0x2020, seq + 1, 0), b.unprotectRtp(arrived[seq]), "packet " + (seq + 1));
                }
                long[] after = oneLoop.reads();
                assertEquals(packets, after[1] - before[1]);
                long wakeUps = after[2] - before[2];
                // 100-200 ms of packets and a 1 ms window: 100-200 wake-ups; one per packet without the window
                assertTrue(wakeUps <= packets / 2, wakeUps + " wake-ups read " + packets + " packets");
                assertEquals(packets, session.counters(RelaySide.B).packetsOut());
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean());
    }
}
