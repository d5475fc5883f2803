package org.sipshield.media;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The media path's info lines (a leg latched, a session ended or timed out, hold), written by the
 * signalling thread instead of the event loop: an appender that blocks (a console, a full disk)
 * would otherwise stall every call's media on that loop. Lines keep their order. When many calls
 * start or end together (a burst of 700 latches in 20 ms), the loop hands them over with one
 * wake-up of the signalling thread for the whole burst, not one per line: a wake-up per line costs
 * the loop a futex call each and puts another runnable thread on the cores just when the loop has
 * the most to do.
 */
final class OffLoopLog {
    private final Logger log;
    private final Executor writer;
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean handedOver = new AtomicBoolean();

    OffLoopLog(Logger log, Executor writer) {
        this.log = log;
        this.writer = writer;
    }

    /** Whether a line would be written at all: when not, the caller builds none. */
    boolean enabled() {
        return log.isInfoEnabled();
    }

    /**
     * Queues one line; never blocks. A line nobody would write is not queued (callers whose line is
     * costly to build check {@link #enabled()} first).
     */
    void info(String line) {
        if (!enabled()) {
            return;
        }
        lines.add(line);
        if (handedOver.compareAndSet(false, true)) {
            try {
                writer.execute(this::writeAll);
            } catch (RejectedExecutionException relayClosing) {
                writeAll();
            }
        }
    }

    /** Writes what is queued, on the caller's thread: when the writer is gone (the relay closed). */
    void flush() {
        writeAll();
    }

    private void writeAll() {
        // cleared first: a line queued after the last poll below hands over again
        handedOver.set(false);
        for (String line; (line = lines.poll()) != null; ) {
            log.info(line);
        }
    }
}
