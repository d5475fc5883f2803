package org.sipshield.media;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
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
    Channel rtpChannel;
    Channel rtcpChannel;

    // event loop only
    private LegMedia media;
    private SrtpSession inbound;
    private SrtpSession outbound;
    private InetSocketAddress latchedRtp;
    private InetSocketAddress latchedRtcp;
    private boolean flushRtp;
    private boolean flushRtcp;
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
    private SrtpStatus lastStatus = SrtpStatus.OK;
    /** Packets of this leg's peer waiting in the loop's burst. */
    int pendingInBurst;

    RelayLeg(RelaySession session, RelaySide side) {
        this.session = session;
        this.side = side;
    }

    void bound(int port, Channel rtp, Channel rtcp) {
        this.rtpPort = port;
        this.rtpChannel = rtp;
        this.rtcpChannel = rtcp;
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
            inbound = next.selection().openInbound(engine);
            outbound = next.selection().openOutbound(engine);
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
                rtcpIn, rtcpOut, unprotectedRtcp);
    }

    boolean isLatched() {
        return latchedRtp != null;
    }

    // ---------------------------------------------------------------- media path (event loop)

    /**
     * A packet arrived on one of this leg's sockets. Takes ownership of {@code packet}: it is
     * either handed to the loop's {@link PacketBurst} (re-keyed in place there, then forwarded in
     * the same buffer) or released.
     */
    void receive(DatagramPacket packet, boolean onRtcpPort) {
        PacketBurst burst = session.burst();
        ByteBuf buf = packet.content();
        InetSocketAddress source = packet.sender();
        RelayLeg out = session.leg(side.other());
        LegMedia mine = media;
        if (mine == null || out.media == null) {
            droppedOther++;
            dropped("not configured");
            packet.release();
            return;
        }
        int index = buf.readerIndex();
        int length = buf.readableBytes();
        boolean rtcp = onRtcpPort || (mine.rtcpMux() && isRtcp(buf, index, length));
        InetSocketAddress latched = rtcp ? latchedRtcp : latchedRtp;
        if (latched == null && pendingInBurst > 0) {
            // an earlier packet may latch this leg: settle it first, as if each were handled on arrival
            burst.process();
            latched = rtcp ? latchedRtcp : latchedRtp;
        }
        if (latched != null ? !latched.equals(source)
                : inbound == null && session.latching() == LatchingPolicy.SIGNALLED_ADDRESS
                        && !source.equals(mine.signalled(rtcp))) {
            droppedForeign++;
            packet.release();
            return;
        }
        if (length < (rtcp ? 8 : 12) || (buf.getByte(index) & 0xC0) != 0x80) {
            droppedOther++;
            dropped("not RTP/RTCP");
            packet.release();
            return;
        }
        // read now: the copy below releases buf, and a refused GCM packet's payload is wiped
        boolean inClear = rtcp && inbound != null && RtcpInClear.looksLikePlainRtcp(buf, index, length);
        SrtpSession protect = out.outbound;
        int room = protect == null ? 0 : protect.maxOverhead(rtcp ? SrtpOperation.PROTECT_RTCP : SrtpOperation.PROTECT_RTP);
        // epoll hands each datagram over as a slice of its receive buffer (one slot per datagram with
        // recvmmsg): work on the receive buffer's memory, where the slot leaves room for the tag
        ByteBuf work = buf.unwrap();
        int at;
        DatagramPacket received = packet;
        if (work == null) {
            work = buf;
            at = index;
        } else if (work.unwrap() == null && buf.hasMemoryAddress() && work.hasMemoryAddress()) {
            at = (int) (buf.memoryAddress() - work.memoryAddress()) + index;
        } else {
            // a buffer the leak detector sampled (1 in 128 by default) is wrapped: copying it lets the
            // wrapper be released the normal way, so the detector never reports a leak that is not one
            work = rtpChannel.alloc().directBuffer(length + room);
            work.writeBytes(buf, index, length);
            packet.release();
            received = null;
            at = 0;
        }
        if (length + room > MediaRelay.DATAGRAM_SLOT || work.capacity() - at - length < room) {
            droppedOther++;
            dropped("no room");
            release(received, work);
            return;
        }
        burst.add(this, work, at, length, room, rtcp, inClear, source, received);
    }

    /** The packet was received into {@code received}, or copied into {@code work} when that is null. */
    private static void release(DatagramPacket received, ByteBuf work) {
        if (received != null) {
            received.release();
        } else {
            work.release();
        }
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
    void accepted(InetSocketAddress source, boolean rtcp, int plainLength) {
        if ((rtcp ? latchedRtcp : latchedRtp) == null) {
            latch(source, rtcp);
        }
        packetsIn++;
        bytesIn += plainLength;
        if (rtcp) {
            rtcpIn++;
        }
        session.mediaSeen();
    }

    /** Where this leg's peer gets a packet: its latched address, else the signalled one; null if none yet. */
    InetSocketAddress destination(boolean rtcp) {
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

    /**
     * Queues the packet towards this leg's peer (flushed by {@link #flushPending}).
     *
     * @return whether this leg had nothing queued before: then the caller must flush it
     */
    boolean write(ByteBuf outgoing, boolean rtcp, int length) {
        boolean viaRtpPort = !rtcp || media.rtcpMux();
        Channel channel = viaRtpPort ? rtpChannel : rtcpChannel;
        channel.write(session.burst().datagrams().take(outgoing, destination(rtcp)), channel.voidPromise());
        boolean first = !flushRtp && !flushRtcp;
        if (viaRtpPort) {
            flushRtp = true;
        } else {
            flushRtcp = true;
        }
        packetsOut++;
        bytesOut += length;
        if (rtcp) {
            rtcpOut++;
        }
        return first;
    }

    /** After a burst: one sendmmsg per socket for what it queued here. */
    void flushPending() {
        if (flushRtp) {
            flushRtp = false;
            rtpChannel.flush();
        }
        if (flushRtcp) {
            flushRtcp = false;
            rtcpChannel.flush();
        }
    }

    private void latch(InetSocketAddress source, boolean rtcp) {
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
    private static boolean isRtcp(ByteBuf buf, int index, int length) {
        if (length < 2) {
            return false;
        }
        int pt = buf.getUnsignedByte(index + 1);
        return pt >= 192 && pt <= 223;
    }

    @Override
    public String toString() {
        return "leg " + side + " :" + rtpPort;
    }
}
