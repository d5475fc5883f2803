package org.sipshield.media;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Hands out RTP ports (even; RTCP is the next odd one) from a range, round robin so a port just
 * released is the last to be reused (late packets of an ended call do not reach a new one).
 * Only signalling touches it; the lock is never taken on the media path.
 */
final class PortAllocator {
    private final Deque<Integer> free = new ArrayDeque<>();

    PortAllocator(PortRange range) {
        for (int p = range.min(); p + 1 <= range.max(); p += 2) {
            free.addLast(p);
        }
    }

    /** The next free RTP port, or -1 when the range is exhausted. */
    synchronized int take() {
        Integer p = free.pollFirst();
        return p == null ? -1 : p;
    }

    synchronized void release(int rtpPort) {
        free.addLast(rtpPort);
    }

    synchronized int available() {
        return free.size();
    }
}
