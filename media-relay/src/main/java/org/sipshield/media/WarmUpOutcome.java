package org.sipshield.media;

import java.time.Duration;

/**
 * What the relay's warm-up ({@link MediaRelay#warmUp}) carried, summed over its sessions on every
 * event loop. Its phones sent {@code packetsSent}; the relay accepted {@code legs.packetsIn()} of
 * them, forwarded as many ({@code legs.packetsOut()}), which the phones got back
 * ({@code packetsReceived}), and dropped the rest, each counted under its reason.
 */
public record WarmUpOutcome(int eventLoops, int sessions, long packetsSent, long packetsReceived, LegCounters legs, Duration took) {
    /** No warm-up: too few port pairs free, or its packets did not come back. */
    static final WarmUpOutcome NONE = new WarmUpOutcome(0, 0, 0, 0, LegCounters.NONE, Duration.ZERO);

    @Override
    public String toString() {
        return eventLoops + " event loops, " + sessions + " sessions, " + packetsSent + " packets sent, " + legs.packetsOut()
                + " relayed (" + packetsReceived + " received back), " + legs.dropped() + " dropped as they should be (auth failures "
                + legs.authFailures() + ", replays " + legs.replays() + ", unprotected RTCP " + legs.unprotectedRtcp()
                + ", foreign " + legs.droppedForeign() + ", other " + legs.droppedOther() + ", not sent " + legs.notSent() + "), in "
                + took.toMillis() + " ms";
    }
}
