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
 * sleeps until a window after its last read, then reads whatever every socket has meanwhile, in one
 * burst (NIC interrupt coalescing, in the relay). A packet waits up to about a window more. A read
 * that finds nothing ends the pacing, and the loop waits in epoll again. Sparse packets (a few calls)
 * are read as they come, as without a window.
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
    /** When the last read that found packets ended; meaningful once {@link #anyRead} is set. */
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
     * A read has ended at {@code now}, having found {@code packets}; {@code paced}: it was one the
     * window timed (it did not wait in epoll).
     */
    void readEnded(long now, long packets, boolean paced) {
        if (packets == 0) {
            if (paced) {
                // a whole window brought nothing: packets are sparse again, and wait in epoll
                pacing = false;
            }
            return;
        }
        if (windowNanos > 0 && anyRead && now - lastRead < windowNanos) {
            pacing = true;
        }
        lastRead = now;
        anyRead = true;
    }
}
