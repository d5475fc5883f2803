package org.sipshield.media;

import java.nio.ByteBuffer;
import org.sipshield.jni.LoopWatchdog;

/**
 * Keeps a real-time event loop (media.realtimePriority) from waiting at real-time priority for a
 * thread that its priority keeps from running.
 *
 * <p>A loop under SCHED_FIFO that spins until a normal thread on its own CPU has done something
 * spins until the kernel's real-time throttling stops it, up to a second later: the benchmark caught
 * a loop spinning so in HotSpot's SharedRuntime::handle_wrong_method (a call to a method the JIT was
 * replacing, waiting for the compiler thread to install the new code) for 1.0 s at 250 streams, its
 * loop otherwise a third busy, every packet of that second lost (bench/media-results.md, 2026-12-04
 * night). The loop's own budget ({@link RealtimeBudget}) could not help: it runs on the stuck loop.
 * So a native thread one priority above the loops ({@link LoopWatchdog}) looks at every loop each
 * {@link #PERIOD_NANOS}: a loop flat out on its CPU for {@link #STUCK_NANOS} without progress (a
 * socket read, a finished wake-up or a task taken, {@link LoopProgress}) goes to the fair scheduler
 * at nice 0, where the thread it waits for gets its share of the CPU, until it progresses; a loop
 * its budget has sent to nice -20 is watched the same way (a normal thread gets a hundredth of the CPU
 * against it). The first version counted finished wake-ups only, and let a saturated loop
 * down 124 times in one benchmark run: at 1,750 streams one wake-up reads thousands of sockets, for
 * milliseconds on end; a loop that reads no socket for 4 ms while on its CPU is waiting. Tasks count
 * as well: a call storm hands a loop thousands of short ones back to back. Every loop's scheduling
 * goes through it, the budget's included ({@link Loop#want}).
 */
final class RealtimeWatchdog implements AutoCloseable {
    /** How often the watchdog looks at the loops: a wake-up of a tiny native thread 500 times a second. */
    static final long PERIOD_NANOS = 2_000_000L;
    /** How long a loop may go flat out without progress: a busy loop reads a socket every few microseconds. */
    static final long STUCK_NANOS = 4_000_000L;

    private final long handle;
    private boolean closed;

    private RealtimeWatchdog(long handle) {
        this.handle = handle;
    }

    /**
     * Starts the watchdog of loops under SCHED_FIFO at {@code loopPriority}.
     *
     * @return the watchdog, or null when the kernel refused its thread real-time priority ({@code refusal[0]}: the errno)
     */
    static RealtimeWatchdog start(int loopPriority, int[] refusal) {
        long handle = LoopWatchdog.start(loopPriority, PERIOD_NANOS, STUCK_NANOS);
        if (handle < 0) {
            refusal[0] = (int) -handle;
            return null;
        }
        return new RealtimeWatchdog(handle);
    }

    /**
     * Called on a loop: from now on it runs under SCHED_FIFO and is watched, through the memory its
     * {@link LoopProgress} shares.
     *
     * @return the loop's handle, or null when the kernel refused ({@code refusal[0]}: the errno)
     */
    synchronized Loop watchThisLoop(LoopProgress progress, int[] refusal) {
        if (closed) {
            throw new IllegalStateException("the real-time watchdog is stopped");
        }
        ByteBuffer shared = progress.watchdogMemory();
        int slot = LoopWatchdog.watchThisThread(handle, shared);
        if (slot < 0) {
            refusal[0] = -slot;
            return null;
        }
        return new Loop(slot, shared);
    }

    /** Stops the watchdog thread; the loops keep their scheduling. After the loops have stopped. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LoopWatchdog.stop(handle);
        }
    }

    /** One watched loop. */
    final class Loop {
        private final int slot;
        private final ByteBuffer shared;

        private Loop(int slot, ByteBuffer shared) {
            this.slot = slot;
            this.shared = shared;
        }

        /**
         * The loop runs as {@code scheduling} says: {@link LoopWatchdog#REALTIME}, {@link
         * LoopWatchdog#FAIR_FIRST} or {@link LoopWatchdog#FAIR} (unless let down just now: then once
         * it progresses).
         *
         * @return 0 or {@code -errno}
         */
        int want(int scheduling) {
            synchronized (RealtimeWatchdog.this) {
                return closed ? -org.sipshield.jni.UdpNative.EINVAL : LoopWatchdog.want(handle, slot, scheduling);
            }
        }

        /** How many times the watchdog has let this loop down (to nice 0). */
        long letDowns() {
            return shared.getLong(LoopWatchdog.LET_DOWN); // native order, as the watchdog writes it
        }

        /** The longest a let-down loop had gone without progress, in nanoseconds. */
        long longestStallNanos() {
            return shared.getLong(LoopWatchdog.LONGEST_STALL_NANOS);
        }
    }
}
