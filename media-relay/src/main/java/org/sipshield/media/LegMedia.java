package org.sipshield.media;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.sipshield.srtp.SdesSelection;

/**
 * What signalling agreed for one leg: where its peer said it receives RTP and RTCP, whether it
 * multiplexes RTCP on the RTP port (RFC 5761), and, for SRTP, the SDES selection whose keys the
 * relay uses on that leg (the peer's key unprotects what it sends, ours protects what we send it).
 * A leg without a selection carries plain RTP.
 */
public final class LegMedia {
    private final InetSocketAddress rtpAddress;
    private final InetSocketAddress rtcp;
    private final boolean rtcpMux;
    private final SdesSelection srtp;
    /** False for a UDP stream that is not RTP (UDP/BFCP, udptl): its datagrams cross as they are. */
    private final boolean carriesRtp;
    // the same addresses as the packet path compares and sends to them, made once here
    private final PeerAddress rtpPeer;
    private final PeerAddress rtcpPeer;

    private LegMedia(InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux, SdesSelection srtp, boolean carriesRtp) {
        this.carriesRtp = carriesRtp;
        this.rtpAddress = rtp;
        this.rtcp = rtcpMux ? rtp : rtcp;
        this.rtcpMux = rtcpMux;
        this.srtp = srtp;
        this.rtpPeer = PeerAddress.of(this.rtpAddress);
        this.rtcpPeer = PeerAddress.of(this.rtcp);
    }

    /**
     * @param rtp  the peer's signalled RTP address, or null when it gave none (held, 0.0.0.0):
     *             nothing is sent to it before it latches
     * @param rtcp its RTCP address (ignored with rtcp-mux)
     */
    public static LegMedia plainRtp(InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux) {
        return new LegMedia(rtp, rtcp, rtcpMux, null, true);
    }

    /**
     * A UDP stream that is not RTP (m=application UDP/BFCP, m=image udptl): any datagram from the
     * peer crosses unchanged, as it came; nothing on it can be encrypted by the relay.
     *
     * @param address the peer's signalled address, or null (nothing is sent before it latches)
     */
    public static LegMedia datagrams(InetSocketAddress address) {
        return new LegMedia(address, null, true, null, false);
    }

    public static LegMedia srtp(InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux, SdesSelection selection) {
        return new LegMedia(rtp, rtcp, rtcpMux, Objects.requireNonNull(selection, "selection"), true);
    }

    public Optional<InetSocketAddress> rtp() {
        return Optional.ofNullable(rtpAddress);
    }

    public Optional<InetSocketAddress> rtcp() {
        return Optional.ofNullable(rtcp);
    }

    public boolean rtcpMux() {
        return rtcpMux;
    }

    /** Whether its packets must look like RTP/RTCP (version 2) to cross. */
    public boolean carriesRtp() {
        return carriesRtp;
    }

    public boolean isSecure() {
        return srtp != null;
    }

    SdesSelection selection() {
        return srtp;
    }

    /** Where the peer said it receives RTP or RTCP, or null (none given, or held). */
    PeerAddress signalled(boolean forRtcp) {
        return forRtcp ? rtcpPeer : rtpPeer;
    }

    @Override
    public String toString() {
        return "LegMedia[" + (srtp != null ? srtp.suite() : carriesRtp ? "RTP" : "datagrams") + ", rtp " + rtpAddress + (rtcpMux ? ", rtcp-mux" : ", rtcp " + rtcp) + "]";
    }
}
