package org.sipshield.jni;

import java.nio.ByteBuffer;

/**
 * The watchdog of the media relay's real-time event loops: a native thread, outside the JVM, under
 * SCHED_FIFO one priority above the loops. A loop that runs flat out for {@code stuckNanos} without
 * progress (the loop's count: a busy loop reads a socket every few microseconds) is waiting, at real-time priority, for a thread at normal priority on its own
 * CPU, which cannot run until the loop stops (HotSpot's callers of a method the JIT is replacing wait
 * so for the compiler thread). The watchdog lets such a loop down to nice 0 until it progresses,
 * then gives it its scheduling back. It also sets the loops' scheduling for their budgets
 * ({@link #want}), under the same lock, so neither undoes the other.
 *
 * <p>Each watched loop shares {@link #SHARED_BYTES} of direct memory with the watchdog, as longs in
 * native order at 8-octet aligned offsets: {@link #PROGRESS} (written by the loop: a plain store, which x86 keeps in order), then
 * {@link #LET_DOWN}, {@link #LONGEST_STALL_NANOS} and {@link #LAST_STALL_NANOS} (written by the
 * watchdog). The memory must stay reachable until {@link #stop}.
 *
 * <p>Results are values or {@code -errno}.
 */
public final class LoopWatchdog {
    static {
        NativeLibrary.load();
    }

    private LoopWatchdog() {}

    /** Octets of memory each watched loop shares with the watchdog. */
    public static final int SHARED_BYTES = 32;
    /** Byte offset of the loop's progress: a count it moves on each socket read, each finished wake-up and each task it takes. */
    public static final int PROGRESS = 0;
    /** Byte offset of how many times the watchdog let the loop down (to nice 0). */
    public static final int LET_DOWN = 8;
    /** Byte offset of the longest time a let-down loop had gone without progress, in nanoseconds. */
    public static final int LONGEST_STALL_NANOS = 16;
    /** Byte offset of the same for the last let-down. */
    public static final int LAST_STALL_NANOS = 24;

    /**
     * Starts the watchdog thread under SCHED_FIFO at {@code loopPriority + 1}.
     *
     * @param loopPriority the loops' SCHED_FIFO priority, 1..98
     * @param periodNanos how often it looks at every loop (under a second)
     * @param stuckNanos how long a loop may run flat out without progress
     * @return a handle for the other calls, or {@code -errno} ({@code -EPERM}: no root or CAP_SYS_NICE)
     */
    public static native long start(int loopPriority, long periodNanos, long stuckNanos);

    /**
     * Called on a loop's thread: the watchdog watches it from now on, and the thread runs under
     * SCHED_FIFO at the watchdog's loop priority.
     *
     * @param shared {@link #SHARED_BYTES} of direct, 8-octet aligned memory
     * @return the loop's slot for {@link #want}, or {@code -errno}
     */
    public static native int watchThisThread(long handle, ByteBuffer shared);

    /** {@link #want}: SCHED_FIFO at the watchdog's loop priority. */
    public static final int REALTIME = 0;
    /**
     * {@link #want}: the fair scheduler at nice -20 (nice 0 where the process may not lower a nice
     * value again): some 99% of the CPU against a normal thread that wants all of it. Watched as
     * under SCHED_FIFO.
     */
    public static final int FAIR_FIRST = 1;
    /** {@link #want}: the fair scheduler at nice 0, unwatched. */
    public static final int FAIR = 2;

    /**
     * The loop in {@code slot} runs as {@code scheduling} says ({@link #REALTIME}, {@link #FAIR_FIRST}
     * or {@link #FAIR}); while the watchdog has it let down, at nice 0 until it progresses.
     *
     * @return 0 or {@code -errno}
     */
    public static native int want(long handle, int slot, int scheduling);

    /** Stops the watchdog thread (within a period) and frees the handle; the loops keep their scheduling. */
    public static native void stop(long handle);
}
