package org.sipshield.media;

/**
 * The UDP ports the relay may bind: RTP on even ports, RTCP on the odd port above (RFC 3550
 * section 11), so a range holds {@code (max - min + 1) / 2} legs.
 */
public record PortRange(int min, int max) {
    public PortRange {
        if (min < 1024 || max > 65535 || min % 2 != 0 || max <= min) {
            throw new IllegalArgumentException("media port range must be an even first port >= 1024 up to a last port <= 65535"
                    + " above it, got " + min + ".." + max);
        }
    }

    /** How many RTP+RTCP pairs fit. */
    public int pairs() {
        return (max - min + 1) / 2;
    }
}
