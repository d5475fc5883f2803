package org.sipshield.media;

import java.nio.ByteBuffer;
import org.sipshield.jni.UdpNative;
import org.sipshield.srtp.SrtpEngine;
import org.sipshield.srtp.SrtpOperation;
import org.sipshield.srtp.SrtpSession;
import org.sipshield.srtp.SrtpStatus;

/**
 * One leg of a relay session: our RTP and RTCP sockets towards one peer, what signalling agreed
 * for it, where it latched, its SRTP sessions and its counters.
 *
 * <p>Everything but the constructor's fields is confined to the session's event loop: the media
 * path reads and writes it without locks or volatile reads, and signalling changes it by
 * submitting a task to that loop ({@link RelaySession#configure}).
 */
public final class RelayLeg {
    private final RelaySession session;
    private final RelaySide side;
    // set once, before the session is handed out
    private int rtpPort;
    RelaySocket rtpSocket;
    RelaySocket rtcpSocket;

    // event loop only
    private LegMedia media;
    private SrtpSession inbound;
    private SrtpSession outbound;
    private PeerAddress latchedRtp;
    private PeerAddress latchedRtcp;
    private long packetsIn;
    private long bytesIn;
    private long packetsOut;
    private long bytesOut;
    private long authFailures;
    private long replays;
    private long droppedForeign;
    private long droppedOther;
    private long rtcpIn;
    private long rtcpOut;
    private long unprotectedRtcp;
    private long notSent;
    private SrtpStatus lastStatus = SrtpStatus.OK;
    /** Packets of this leg's peer waiting in the loop's burst. */
    int pendingInBurst;

    RelayLeg(RelaySession session, RelaySide side) {
        this.session = session;
        this.side = side;
    }

    void bound(int port, RelaySocket rtp, RelaySocket rtcp) {
        this.rtpPort = port;
        this.rtpSocket = rtp;
        this.rtcpSocket = rtcp;
    }

    public RelaySide side() {
        return side;
    }

    /** Where this leg's peer must send RTP (and, with rtcp-mux, RTCP). */
    public int localRtpPort() {
        return rtpPort;
    }

    /** Where this leg's peer must send RTCP without rtcp-mux. */
    public int localRtcpPort() {
        return rtpPort + 1;
    }

    // ---------------------------------------------------------------- signalling (on the event loop)

    void apply(LegMedia next, SrtpEngine engine) {
        closeSrtp();
        media = next;
        if (next.isSecure()) {
            try {
                inbound = next.selection().openInbound(engine);
                outbound = next.selection().openOutbound(engine);
            } catch (RuntimeException e) {
                // a key no session took is destroyed here, and the leg forwards nothing until configured again
                closeSrtp();
                next.selection().discard();
                media = null;
                throw e;
            }
        }
        if (next.isSecure() || session.latching() == LatchingPolicy.SIGNALLED_ADDRESS) {
            // new keys or a new signalled address: the old latch proves nothing any more
            latchedRtp = null;
            latchedRtcp = null;
        }
    }

    /** The session ends: keys destroyed, and no packet is forwarded any more (not even as plain RTP). */
    void shutdown() {
        closeSrtp();
        media = null;
    }

    void closeSrtp() {
        if (inbound != null) {
            inbound.close();
            inbound = null;
        }
        if (outbound != null) {
            outbound.close();
            outbound = null;
        }
    }

    LegCounters snapshot() {
        return new LegCounters(packetsIn, bytesIn, packetsOut, bytesOut, authFailures, replays, droppedForeign, droppedOther,
                rtcpIn, rtcpOut, unprotectedRtcp, notSent);
    }

    boolean isLatched() {
        return latchedRtp != null;
    }

    // ---------------------------------------------------------------- media path (event loop)

    /**
     * A datagram arrived on one of this leg's sockets: {@code length} octets in slot {@code slot} of
     * the burst's memory ({@link UdpNative#TRUNCATED} if it did not fit), from the source at
     * {@code source[sourceAt..]}. It joins the burst (re-keyed and forwarded there, in that slot) or
     * is dropped and counted here; either way nothing is allocated.
     */
    void receive(PacketBurst burst, int slot, int length, int[] source, int sourceAt, boolean onRtcpPort) {
        RelayLeg out = session.leg(side.other());
        LegMedia mine = media;
        if (mine == null || out.media == null) {
            droppedOther++;
            dropped("not configured");
            return;
        }
        if (length == UdpNative.TRUNCATED) {
            droppedOther++;
            dropped("longer than a slot");
            return;
        }
        ByteBuffer memory = burst.memory();
        int index = burst.offset(slot);
        boolean rtcp = onRtcpPort || (mine.rtcpMux() && mine.carriesRtp() && isRtcp(memory, index, length));
        PeerAddress latched = rtcp ? latchedRtcp : latchedRtp;
        if (latched == null && pendingInBurst > 0) {
            // an earlier packet may latch this leg: settle it first, as if each were handled on arrival
            burst.process();
            latched = rtcp ? latchedRtcp : latchedRtp;
        }
        if (latched != null ? !latched.matches(source, sourceAt)
                : inbound == null && session.latching() == LatchingPolicy.SIGNALLED_ADDRESS
                        && !matches(mine.signalled(rtcp), source, sourceAt)) {
            droppedForeign++;
            return;
        }
        if (mine.carriesRtp() && (length < (rtcp ? 8 : 12) || (memory.get(index) & 0xC0) != 0x80)) {
            droppedOther++;
            dropped("not RTP/RTCP");
            return;
        }
        // read now: a refused GCM packet's payload is wiped by the SRTP core
        boolean inClear = rtcp && inbound != null && RtcpInClear.looksLikePlainRtcp(memory, index, length);
        SrtpSession protect = out.outbound;
        int room = protect == null ? 0 : protect.maxOverhead(rtcp ? SrtpOperation.PROTECT_RTCP : SrtpOperation.PROTECT_RTP);
        if (length + room > burst.slotRoom()) {
            droppedOther++;
            dropped("no room");
            return;
        }
        burst.add(this, slot, length, room, rtcp, inClear, source, sourceAt);
    }

    private static boolean matches(PeerAddress expected, int[] source, int at) {
        return expected != null && expected.matches(source, at);
    }

    // ---------------------------------------------------------------- the burst's steps (event loop)

    RelayLeg far() {
        return session.leg(side.other());
    }

    SrtpSession inbound() {
        return inbound;
    }

    SrtpSession outbound() {
        return outbound;
    }

    /**
     * Our SRTP session refused a packet of this leg's peer. {@code inClear}: it had the shape of
     * plain RTCP (see {@link RtcpInClear}), read before unprotecting: counted apart from forgeries.
     */
    void refused(SrtpStatus status, boolean rtcp, boolean inClear) {
        if (inClear) {
            lastStatus = status;
            unprotectedRtcp++;
            dropped("RTCP without SRTCP protection");
            return;
        }
        countRefused(status);
        dropped(rtcp ? "SRTCP refused" : "SRTP refused");
    }

    /** A packet of this leg's peer is good (authenticated, for SRTP): it may latch the leg. */
    void accepted(int[] source, int sourceAt, boolean rtcp, int plainLength) {
        if ((rtcp ? latchedRtcp : latchedRtp) == null) {
            latch(PeerAddress.copyOf(source, sourceAt), rtcp);
        }
        packetsIn++;
        bytesIn += plainLength;
        if (rtcp) {
            rtcpIn++;
        }
        session.mediaSeen();
    }

    /** Where this leg's peer gets a packet: its latched address, else the signalled one; null if none yet. */
    PeerAddress destination(boolean rtcp) {
        boolean viaRtpPort = !rtcp || media.rtcpMux();
        return viaRtpPort ? (latchedRtp != null ? latchedRtp : media.signalled(false))
                : (latchedRtcp != null ? latchedRtcp : media.signalled(true));
    }

    void noDestination() {
        droppedOther++;
        dropped("no destination");
    }

    void protectFailed(SrtpStatus status) {
        lastStatus = status;
        droppedOther++;
        dropped("protect failed");
    }

    /** The socket a packet for this leg's peer leaves from: RTCP goes on the RTP port with rtcp-mux. */
    RelaySocket socketFor(boolean rtcp) {
        return !rtcp || media.rtcpMux() ? rtpSocket : rtcpSocket;
    }

    /** A packet of {@code length} octets goes out to this leg's peer. */
    void sent(int length, boolean rtcp) {
        packetsOut++;
        bytesOut += length;
        if (rtcp) {
            rtcpOut++;
        }
    }

    /** Packets for this leg's peer that the kernel did not take (see {@link LegCounters#notSent()}). */
    void notSent(int packets) {
        notSent += packets;
        dropped("not sent");
    }

    private void latch(PeerAddress source, boolean rtcp) {
        if (rtcp && !media.rtcpMux()) {
            latchedRtcp = source;
        } else {
            latchedRtp = source;
            if (media.rtcpMux()) {
                latchedRtcp = source;
            }
        }
        session.latched(this, source, rtcp);
    }

    /** Off the hot path: only packets that are dropped pay for this, and only with debug logging on. */
    private void dropped(String why) {
        if (RelaySession.LOG.isDebugEnabled()) {
            RelaySession.LOG.debug("{}: {} {}: dropped: {}", session.label(), this, why, lastStatus);
        }
    }

    private void countRefused(SrtpStatus status) {
        lastStatus = status;
        if (status == SrtpStatus.AUTH_FAILED) {
            authFailures++;
        } else if (status == SrtpStatus.REPLAYED) {
            replays++;
        } else {
            droppedOther++;
        }
    }

    /** RFC 5761 section 4: RTCP packet types 192..223 in the second octet, where RTP has marker+payload type. */
    private static boolean isRtcp(ByteBuffer memory, int index, int length) {
        if (length < 2) {
            return false;
        }
        int pt = memory.get(index + 1) & 0xff;
        return pt >= 192 && pt <= 223;
    }

    @Override
    public String toString() {
        return "leg " + side + " :" + rtpPort;
    }
}
