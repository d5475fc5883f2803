package org.sipshield.media;

/**
 * When an event loop reads next (media.batchWindowMicros): at once when its packets are sparse,
 * at most once per window when they come faster than that.
 *
 * <p>A loop that waits in epoll for each packet pays for a wake-up each time: the switch back onto
 * its CPU, the epoll call, a look at its tasks. At moderate load that is most of its CPU: at 500
 * benchmark streams (25,000 packets/s) each wake-up read 1-2 packets, and the kernel's share of the
 * relay's CPU was 62%, 17% of it the switch back in alone (bench/media-results.md, 2026-12-04). So
 * once two wake-ups with packets come less than a window apart, the loop stops waiting in epoll: it
 * sleeps until a window after its last read began, then reads whatever every socket has meanwhile, in
 * one burst (NIC interrupt coalescing, in the relay). A packet waits up to about a window more. A read
 * that finds nothing ends the pacing, and the loop waits in epoll again. Sparse packets (a few calls)
 * are read as they come, as without a window.
 *
 * <p>The window runs from a read's beginning, not its end, so that a loop's reads come once per
 * window at any load: a read that takes longer than the window (the loop behind) is followed at
 * once. Timed from the end, a window is added to every read, and a read's length includes the
 * re-keying and sending of every burst that fills up during it. So a loop had two ways to carry one
 * load (1,875 streams, a trace of every wake-up): 26 packets per wake-up, 283 us apart, at 73% of its
 * CPU; or, once a delay had pushed a wake-up over a burst's {@link PacketBurst#CAPACITY} slots, 70
 * per wake-up, 770 us apart, at 81%, and it stayed there for seconds. The second cost 11% more per
 * packet; a 1,750-stream step spent mostly in it added 928 us at the median against 324 us in the
 * first (bench/media-results.md, 2026-12-05, afternoon).
 *
 * <p>Sleeping less when packets come fast (until eight should have come, at the last read's rate)
 * was measured and dropped: the loop woke more often at high load, cost 15% more CPU per packet
 * there, and its zero-loss rate fell (bench/media-results.md, 2026-12-04, batch window).
 *
 * <p>Confined to its loop; allocates nothing.
 */
final class BatchWindow {
    private final long windowNanos;
    private boolean pacing;
    /** When the last read that found packets began (see {@link #readEnded}); meaningful once {@link #anyRead} is set. */
    private long lastRead;
    private boolean anyRead;

    /** @param windowNanos 0: every packet wakes the loop (no pacing) */
    BatchWindow(long windowNanos) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("batch window must not be negative, got " + windowNanos);
        }
        this.windowNanos = windowNanos;
    }

    /** True: the loop's next read waits until {@link #nextReadAt()}, then takes what is there without waiting in epoll. */
    boolean pacing() {
        return pacing;
    }

    /** While {@link #pacing()}: when the next read is due (System.nanoTime). */
    long nextReadAt() {
        return lastRead + windowNanos;
    }

    /**
     * A read has ended, having found {@code packets}; {@code paced}: it was one the window timed (it
     * did not wait in epoll). {@code began}: when a paced read began (after its sleep). An unpaced
     * read began inside epoll's wait, so its caller gives when it ended: it read what one wake-up
     * brought, a few packets.
     */
    void readEnded(long began, long packets, boolean paced) {
        if (packets == 0) {
            if (paced) {
                // a whole window brought nothing: packets are sparse again, and wait in epoll
                pacing = false;
            }
            return;
        }
        if (windowNanos > 0 && anyRead && began - lastRead < windowNanos) {
            pacing = true;
        }
        lastRead = began;
        anyRead = true;
    }
}
