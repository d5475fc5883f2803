package org.sipshield.media;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SdesSelection;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpEngine;
import org.sipshield.srtp.SrtpKeyManager;
import org.sipshield.srtp.SrtpSession;

/**
 * Calls of the relay's own, before the first real one: on every event loop, two sessions carry
 * real packets between phones of ours on the relay's address, in bursts shaped like a loop that
 * fell behind (many packets per socket, a burst that fills its slots) and with every packet the
 * relay must drop (forged, replayed, from a stranger, not RTP, plain RTCP on an SRTP leg, longer
 * than a slot, no room for the tag).
 *
 * <p>Why: the JIT compiles the packet path from what it has seen run. A branch never taken by then
 * (a second packet for one socket in a burst, a full read, a drop) is compiled as a trap, and the
 * first real call that takes it, typically when the relay is busiest, sends its loop back to the
 * interpreter until the path is compiled again, by a compiler thread that on a busy machine shares
 * the loop's CPU: tens of milliseconds in which every call on that loop waits
 * (bench/media-results.md, 2026-12-03). Here every branch is taken in every few rounds, from the
 * first to the last, so the profile the JIT compiles from has them all.
 *
 * <p>The rounds run on the loops themselves, one at the end of each wake-up, so each round's packets
 * are read and relayed by the loop's next wake-up: nothing else may use the relay meanwhile. The
 * sessions are quiet (no log line, no {@link SessionReport}); their keys are fresh and destroyed with
 * them; only the counters come out ({@link WarmUpOutcome}).
 */
final class RelayWarmUp {
    /** Rounds per session pair: the same sessions for this many rounds, then new ones (open, latch and close are warmed too). */
    private static final int ROUNDS_PER_SESSION = MediaRelay.WARM_UP_ROUNDS_PER_SESSION;
    /** Two calls of two legs. */
    static final int PORT_PAIRS_PER_LOOP = 4;
    private static final int RTP_LENGTH = 172;

    private RelayWarmUp() {
    }

    /**
     * @param loops  the relay's event loops, each warmed up with sessions of its own, as many at once
     *               as the free port pairs allow
     * @param rounds rounds per loop (a multiple of {@link #ROUNDS_PER_SESSION})
     */
    static WarmUpOutcome run(MediaRelay relay, List<IoEventLoop> loops, int rounds) {
        long started = System.nanoTime();
        // each loop's two calls take four port pairs: as many loops at once as the range has room for
        int atOnce = Math.min(loops.size(), relay.freePortPairs() / PORT_PAIRS_PER_LOOP);
        List<LoopWarmUp> warmUps = new ArrayList<>();
        try {
            for (int first = 0; atOnce > 0 && first < loops.size(); first += atOnce) {
                List<LoopWarmUp> group = new ArrayList<>();
                for (IoEventLoop loop : loops.subList(first, Math.min(loops.size(), first + atOnce))) {
                    group.add(new LoopWarmUp(relay, loop));
                }
                warmUps.addAll(group);
                for (int done = 0; done < rounds; done += ROUNDS_PER_SESSION) {
                    // signalling's part, off the loops as in a real call: open, configure, close
                    for (LoopWarmUp w : group) {
                        w.openCalls();
                    }
                    for (LoopWarmUp w : group) {
                        w.start();
                    }
                    for (LoopWarmUp w : group) {
                        w.await();
                    }
                    for (LoopWarmUp w : group) {
                        w.endCalls();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the media relay's warm-up failed: " + e, e);
        } finally {
            for (LoopWarmUp w : warmUps) {
                w.close();
            }
        }
        long sent = 0;
        long received = 0;
        int sessions = 0;
        LegCounters legs = LegCounters.NONE;
        for (LoopWarmUp w : warmUps) {
            sent += w.sent;
            received += w.received;
            sessions += w.sessions;
            legs = legs.plus(w.legs);
        }
        return new WarmUpOutcome(warmUps.size(), sessions, sent, received, legs, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * The warm-up of one loop. Its rounds run on the loop, at the end of each wake-up
     * ({@link PacketBurst#afterWakeUp}): a round's packets are on the relay's sockets when it
     * returns (loopback delivers at once), so the loop's next wake-up reads and relays them, and
     * the round after that finds them at the phones.
     */
    private static final class LoopWarmUp implements Runnable {
        private final MediaRelay relay;
        private final IoEventLoop loop;
        private final PacketBurst burst;
        private final InetAddress address;
        private final SrtpEngine engine;
        private final SrtpKeyManager keys = new SrtpKeyManager();
        private final ByteBuffer packet = ByteBuffer.allocateDirect(MediaRelay.DATAGRAM_SLOT + 256);
        private final ByteBuffer replayed = ByteBuffer.allocateDirect(MediaRelay.DATAGRAM_SLOT);
        /** Sends from an address no leg knows; opened with the first calls, inside the warm-up's try. */
        private DatagramChannel stranger;
        /** What the calls carried, added up as each pair of calls ends. */
        LegCounters legs = LegCounters.NONE;
        long sent;
        long received;
        int sessions;
        private Promise<Void> done;
        private int round;
        private Call secure;
        private Call mixed;

        LoopWarmUp(MediaRelay relay, IoEventLoop loop) {
            this.relay = relay;
            this.loop = loop;
            this.burst = relay.burst(loop);
            InetAddress bound = relay.options().bindAddress();
            this.address = bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
            this.engine = relay.options().engine();
        }

        void openCalls() throws IOException {
            if (stranger == null) {
                stranger = channel();
            }
            secure = Call.secure(this);
            mixed = Call.mixed(this);
        }

        void start() {
            round = 0;
            done = loop.newPromise();
            loop.execute(() -> {
                burst.afterWakeUp(this);
                run();
            });
        }

        void await() {
            // 50 rounds take milliseconds; only packets that never arrive (a firewall) take this long
            RelaySession.await(done, "the warm-up's rounds");
        }

        /** One round, on the loop: what the last one relayed is collected, the next one's packets sent. */
        @Override
        public void run() {
            try {
                if (round > 0) {
                    received += secure.a.drain(packet) + secure.b.drain(packet) + mixed.a.drain(packet) + mixed.b.drain(packet);
                }
                if (round == ROUNDS_PER_SESSION) {
                    burst.afterWakeUp(null);
                    done.setSuccess(null);
                    return;
                }
                sendRound();
                round++;
            } catch (IOException | RuntimeException e) {
                burst.afterWakeUp(null);
                done.setFailure(e);
            }
        }

        /**
         * Media both ways on both calls; every eighth round (not the last) a burst that fills the
         * loop's slots; and one of the packets the relay must drop, a different one each round.
         */
        private void sendRound() throws IOException {
            boolean flood = round % 8 == 7 && round < ROUNDS_PER_SESSION - 1;
            secure.a.rtp(this, flood ? 40 : 10);
            secure.a.rtcp(this);
            secure.b.rtp(this, 2);
            secure.b.rtcp(this);
            mixed.a.rtp(this, 3);
            mixed.b.rtp(this, flood ? 24 : 2);
            mixed.b.rtcp(this);
            switch (round % 8) {
                case 0 -> secure.a.forged(this);
                case 1 -> secure.a.replay(this);
                case 2 -> secure.a.fromStranger(this, stranger);
                case 3 -> secure.b.notRtp(this);
                case 4 -> secure.a.plainRtcp(this);
                case 5 -> mixed.a.longerThanSlot(this);
                case 6 -> mixed.a.noRoomForTag(this);
                default -> mixed.a.fromStranger(this, stranger);
            }
        }

        void endCalls() throws IOException {
            for (Call call : new Call[] {secure, mixed}) {
                if (call != null) {
                    legs = legs.plus(call.session.counters(RelaySide.A)).plus(call.session.counters(RelaySide.B));
                    sessions++;
                    call.close();
                }
            }
            secure = null;
            mixed = null;
        }

        void close() {
            try {
                endCalls();
            } catch (IOException | RuntimeException e) {
                // closing after a failure: the failure is what is told
            }
            try {
                if (stranger != null) {
                    stranger.close();
                }
            } catch (IOException e) {
                // nothing was sent on it that could still matter
            }
        }

        DatagramChannel channel() throws IOException {
            DatagramChannel c = DatagramChannel.open(address instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET);
            c.configureBlocking(false);
            c.bind(new InetSocketAddress(address, 0));
            return c;
        }

        /** The phone offers the one suite and the relay's side answers: [the relay's selection, the phone's]. */
        SdesSelection[] negotiate(CryptoSuite suite) {
            try (SdesOffer offer = new SdesNegotiator(SrtpCipherPolicy.of(List.of(suite)), keys).createOffer()) {
                SdesAnswer answer = new SdesNegotiator(SrtpCipherPolicy.of(List.of(suite)), keys).answer(offer.sdpLines());
                SdesSelection phone = offer.accept(answer.answerLine().orElseThrow()).selection().orElseThrow();
                return new SdesSelection[] {answer.selection().orElseThrow(), phone};
            }
        }
    }

    /** One warm-up call: a quiet relay session and its two phones. */
    private static final class Call {
        final RelaySession session;
        final Phone a;
        final Phone b;

        private Call(RelaySession session, Phone a, Phone b) {
            this.session = session;
            this.a = a;
            this.b = b;
        }

        /** SRTP both ways, re-keyed from AES-CM with separate RTCP ports to AEAD AES-GCM with rtcp-mux. */
        static Call secure(LoopWarmUp w) throws IOException {
            return open(w, CryptoSuite.AES_CM_128_HMAC_SHA1_80, false, CryptoSuite.AEAD_AES_128_GCM, true);
        }

        /** Plain RTP with rtcp-mux on one leg, SRTP with a 32-bit tag and separate RTCP ports on the other. */
        static Call mixed(LoopWarmUp w) throws IOException {
            return open(w, null, true, CryptoSuite.AES_CM_128_HMAC_SHA1_32, false);
        }

        /**
         * A session and its two phones (a null suite: plain RTP), configured. When a part fails (a
         * socket refused: no descriptor or port left) what was opened is closed again, so a failed
         * warm-up leaves no session, port, socket or key behind.
         */
        private static Call open(LoopWarmUp w, CryptoSuite suiteA, boolean muxA, CryptoSuite suiteB, boolean muxB)
                throws IOException {
            RelaySession session = w.relay.openQuietSession(w.loop);
            Phone a = null;
            Phone b = null;
            try {
                a = Phone.open(w, session.leg(RelaySide.A), suiteA, muxA);
                b = Phone.open(w, session.leg(RelaySide.B), suiteB, muxB);
                session.configure(RelaySide.A, a.media());
                session.configure(RelaySide.B, b.media());
                return new Call(session, a, b);
            } catch (IOException | RuntimeException e) {
                closeAfter(e, b);
                closeAfter(e, a);
                closeAfter(e, session::close);
                throw e;
            }
        }

        void close() throws IOException {
            try {
                session.close();
            } finally {
                try {
                    a.close();
                } finally {
                    b.close();
                }
            }
        }
    }

    /** Closes what a failed open had opened (null: nothing); a second failure is kept with the first. */
    private static void closeAfter(Exception failure, AutoCloseable opened) {
        if (opened == null) {
            return;
        }
        try {
            opened.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** A phone of the warm-up: its RTP (and RTCP) socket towards one leg, and its keys. */
    private static final class Phone implements AutoCloseable {
        private final DatagramChannel rtp;
        private final DatagramChannel rtcp;
        private final InetSocketAddress relayRtp;
        private final SdesSelection relaySide;
        private final SrtpSession sending;
        private final boolean mux;
        private final int ssrc;
        private int sequence;
        /** Set once {@link #media} has given {@link #relaySide} to the session, which destroys its keys from then on. */
        private boolean relaySideHandedOver;

        private Phone(DatagramChannel rtp, DatagramChannel rtcp, InetSocketAddress relayRtp, SdesSelection relaySide,
                SrtpSession sending, boolean mux, int ssrc) {
            this.rtp = rtp;
            this.rtcp = rtcp;
            this.relayRtp = relayRtp;
            this.relaySide = relaySide;
            this.sending = sending;
            this.mux = mux;
            this.ssrc = ssrc;
        }

        /** @param suite the one suite the phone offers, or null for plain RTP */
        static Phone open(LoopWarmUp w, RelayLeg leg, CryptoSuite suite, boolean mux) throws IOException {
            // [the relay's selection, the phone's]
            SdesSelection[] keys = suite == null ? null : w.negotiate(suite);
            DatagramChannel rtp = null;
            DatagramChannel rtcp = null;
            SrtpSession sending = null;
            try {
                rtp = w.channel();
                rtcp = mux ? rtp : w.channel();
                InetSocketAddress relayRtp = new InetSocketAddress(w.address, leg.localRtpPort());
                rtp.connect(relayRtp);
                if (!mux) {
                    rtcp.connect(new InetSocketAddress(w.address, leg.localRtcpPort()));
                }
                if (keys != null) {
                    sending = keys[1].openOutbound(w.engine);
                    // what the relay sends this phone is counted, not decrypted: the relay's key is destroyed at once
                    keys[1].openInbound(w.engine).close();
                }
                return new Phone(rtp, rtcp, relayRtp, keys == null ? null : keys[0], sending, mux,
                        0x5157_0000 | leg.localRtpPort());
            } catch (IOException | RuntimeException e) {
                if (keys != null) {
                    // neither key reached a session that would destroy it (destroying twice is harmless)
                    keys[0].discard();
                    keys[1].discard();
                }
                closeAfter(e, sending);
                closeAfter(e, rtcp == rtp ? null : rtcp);
                closeAfter(e, rtp);
                throw e;
            }
        }

        /** What the relay's leg is configured with; its key goes with it, to the session (see {@link #close}). */
        LegMedia media() throws IOException {
            InetSocketAddress at = (InetSocketAddress) rtp.getLocalAddress();
            InetSocketAddress rtcpAt = (InetSocketAddress) rtcp.getLocalAddress();
            if (relaySide == null) {
                return LegMedia.plainRtp(at, rtcpAt, mux);
            }
            relaySideHandedOver = true;
            return LegMedia.srtp(at, rtcpAt, mux, relaySide);
        }

        void rtp(LoopWarmUp w, int packets) throws IOException {
            for (int i = 0; i < packets; i++) {
                send(w, rtp, rtpPacket(w.packet, RTP_LENGTH));
            }
        }

        void rtcp(LoopWarmUp w) throws IOException {
            ByteBuffer p = rtcpPacket(w.packet);
            if (sending != null) {
                sending.protectRtcp(p);
            }
            send(w, rtcp, p);
        }

        /** An SRTP packet whose tag does not authenticate. */
        void forged(LoopWarmUp w) throws IOException {
            ByteBuffer p = rtpPacket(w.packet, RTP_LENGTH);
            p.put(p.limit() - 1, (byte) (p.get(p.limit() - 1) ^ 0x5a));
            send(w, rtp, p);
        }

        /** A good packet sent twice: the copy is a replay. */
        void replay(LoopWarmUp w) throws IOException {
            ByteBuffer p = rtpPacket(w.packet, RTP_LENGTH);
            w.replayed.clear();
            w.replayed.put(p.duplicate()).flip();
            send(w, rtp, p);
            send(w, rtp, w.replayed);
        }

        void fromStranger(LoopWarmUp w, DatagramChannel stranger) throws IOException {
            w.sent++;
            stranger.send(rtpPacket(w.packet, RTP_LENGTH), relayRtp);
        }

        void notRtp(LoopWarmUp w) throws IOException {
            ByteBuffer p = w.packet.clear().limit(20);
            for (int i = 0; i < 20; i++) {
                p.put(i, (byte) 0); // version 0: neither RTP nor RTCP
            }
            send(w, rtp, p);
        }

        /** RTCP without SRTCP protection, on an SRTP leg's RTCP port. */
        void plainRtcp(LoopWarmUp w) throws IOException {
            send(w, rtcp, rtcpPacket(w.packet));
        }

        void longerThanSlot(LoopWarmUp w) throws IOException {
            send(w, rtp, rtpHeader(w.packet, MediaRelay.DATAGRAM_SLOT + 100));
        }

        /** A packet that fits a slot but not with the far leg's tag after it. */
        void noRoomForTag(LoopWarmUp w) throws IOException {
            send(w, rtp, rtpHeader(w.packet, MediaRelay.DATAGRAM_SLOT - 2));
        }

        /** What the relay sent this phone since the last round; returns how many datagrams. */
        int drain(ByteBuffer into) throws IOException {
            int n = 0;
            for (DatagramChannel c : mux ? new DatagramChannel[] {rtp} : new DatagramChannel[] {rtp, rtcp}) {
                while (c.receive(into.clear()) != null) {
                    n++;
                }
            }
            return n;
        }

        private ByteBuffer rtpPacket(ByteBuffer into, int length) {
            ByteBuffer p = rtpHeader(into, length);
            if (sending != null) {
                sending.protectRtp(p);
            }
            return p;
        }

        private ByteBuffer rtpHeader(ByteBuffer into, int length) {
            ByteBuffer p = into.clear().limit(length);
            int seq = sequence++ & 0xffff;
            p.put(0, (byte) 0x80).put(1, (byte) 0).putShort(2, (short) seq).putInt(4, seq * 160).putInt(8, ssrc);
            for (int i = 12; i < length; i++) {
                p.put(i, (byte) 0xd5); // G.711 A-law silence
            }
            return p;
        }

        /** An RTCP receiver report with no report block. */
        private ByteBuffer rtcpPacket(ByteBuffer into) {
            return into.clear().limit(8).put(0, (byte) 0x80).put(1, (byte) 201).putShort(2, (short) 1).putInt(4, ssrc);
        }

        private static void send(LoopWarmUp w, DatagramChannel c, ByteBuffer p) throws IOException {
            w.sent++;
            c.write(p);
        }

        /** Its sockets and keys; the relay's key too when it never went to the session (a call that failed to open). */
        @Override
        public void close() throws IOException {
            if (relaySide != null && !relaySideHandedOver) {
                relaySide.discard();
            }
            if (sending != null) {
                sending.close();
            }
            try {
                rtp.close();
            } finally {
                if (rtcp != rtp) {
                    rtcp.close();
                }
            }
        }
    }
}
