package org.sipshield.media;

/**
 * A snapshot of one leg's media counters, ready for metrics. "In" is what the leg's peer sent
 * us and we accepted; "out" is what we sent the leg's peer.
 *
 * @param droppedForeign packets from an address that is not the leg's (latched or signalled) peer
 * @param droppedOther   packets that could not be forwarded (no peer address yet, not RTP, no room)
 * @param rtcpPacketsIn  of packetsIn, the RTCP ones
 * @param rtcpPacketsOut of packetsOut, the RTCP ones
 * @param unprotectedRtcp plain RTCP on an SRTP leg (never forwarded): a peer that sends some RTCP
 *                       before or after its SRTP is up, not a forgery (those are authFailures)
 * @param notSent        packets for the leg's peer that the kernel did not take: the socket's send
 *                       buffer was full (the relay fell behind) or the peer's address is unreachable;
 *                       not in packetsOut
 */
public record LegCounters(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long authFailures, long replays,
        long droppedForeign, long droppedOther, long rtcpPacketsIn, long rtcpPacketsOut, long unprotectedRtcp, long notSent) {
    /** Nothing counted yet. */
    public static final LegCounters NONE = new LegCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Both legs' counts added up, counter by counter. */
    public LegCounters plus(LegCounters o) {
        return new LegCounters(packetsIn + o.packetsIn, bytesIn + o.bytesIn, packetsOut + o.packetsOut, bytesOut + o.bytesOut,
                authFailures + o.authFailures, replays + o.replays, droppedForeign + o.droppedForeign, droppedOther + o.droppedOther,
                rtcpPacketsIn + o.rtcpPacketsIn, rtcpPacketsOut + o.rtcpPacketsOut, unprotectedRtcp + o.unprotectedRtcp,
                notSent + o.notSent);
    }

    /** Everything dropped, for whatever reason. */
    public long dropped() {
        return authFailures + replays + droppedForeign + droppedOther + unprotectedRtcp + notSent;
    }

    @Override
    public String toString() {
        return "in " + packetsIn + " pkt/" + bytesIn + " B (RTCP " + rtcpPacketsIn + "), out " + packetsOut + " pkt/" + bytesOut
                + " B (RTCP " + rtcpPacketsOut + "), auth failures " + authFailures + ", replays " + replays
                + ", unprotected RTCP " + unprotectedRtcp + ", dropped foreign " + droppedForeign + ", dropped other " + droppedOther + ", not sent " + notSent;
    }
}
