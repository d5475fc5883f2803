package org.sipshield.media;

/**
 * A snapshot of one leg's media counters, ready for metrics. "In" is what the leg's peer sent
 * us and we accepted; "out" is what we sent the leg's peer.
 *
 * @param droppedForeign packets from an address that is not the leg's (latched or signalled) peer
 * @param droppedOther   packets that could not be forwarded (no peer address yet, not RTP, no room)
 */
public record LegCounters(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long authFailures, long replays,
        long droppedForeign, long droppedOther) {

    /** Everything dropped, for whatever reason. */
    public long dropped() {
        return authFailures + replays + droppedForeign + droppedOther;
    }

    @Override
    public String toString() {
        return "in " + packetsIn + " pkt/" + bytesIn + " B, out " + packetsOut + " pkt/" + bytesOut + " B, auth failures "
                + authFailures + ", replays " + replays + ", dropped foreign " + droppedForeign + ", dropped other " + droppedOther;
    }
}
