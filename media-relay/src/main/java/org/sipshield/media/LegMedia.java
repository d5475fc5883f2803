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
    private final InetSocketAddress rtp;
    private final InetSocketAddress rtcp;
    private final boolean rtcpMux;
    private final SdesSelection srtp;
    // the same addresses as the packet path compares and sends to them, made once here
    private final PeerAddress rtpPeer;
    private final PeerAddress rtcpPeer;

    private LegMedia(InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux, SdesSelection srtp) {
        this.rtp = rtp;
        this.rtcp = rtcpMux ? rtp : rtcp;
        this.rtcpMux = rtcpMux;
        this.srtp = srtp;
        this.rtpPeer = PeerAddress.of(this.rtp);
        this.rtcpPeer = PeerAddress.of(this.rtcp);
    }

    /**
     * @param rtp  the peer's signalled RTP address, or null when it gave none (held, 0.0.0.0):
     *             nothing is sent to it before it latches
     * @param rtcp its RTCP address (ignored with rtcp-mux)
     */
    public static LegMedia plainRtp(InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux) {
        return new LegMedia(rtp, rtcp, rtcpMux, null);
    }

    public static LegMedia srtp(InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux, SdesSelection selection) {
        return new LegMedia(rtp, rtcp, rtcpMux, Objects.requireNonNull(selection, "selection"));
    }

    public Optional<InetSocketAddress> rtp() {
        return Optional.ofNullable(rtp);
    }

    public Optional<InetSocketAddress> rtcp() {
        return Optional.ofNullable(rtcp);
    }

    public boolean rtcpMux() {
        return rtcpMux;
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
        return "LegMedia[" + (srtp != null ? srtp.suite() : "RTP") + ", rtp " + rtp + (rtcpMux ? ", rtcp-mux" : ", rtcp " + rtcp) + "]";
    }
}
