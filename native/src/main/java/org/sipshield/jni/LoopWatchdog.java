package org.sipshield.jni;

import java.nio.ByteBuffer;

/**
 * The watchdog of the media relay's real-time event loops: a native thread, outside the JVM, under
 * SCHED_FIFO one priority above the loops. A loop that runs flat out for {@code stuckNanos} without
 * progress (the loop's count: a busy loop reads a socket every few microseconds) is waiting, at real-time priority, for a thread at normal priority on its own
 * CPU, which cannot run until the loop stops (HotSpot's callers of a method the JIT is replacing wait
 * so for the compiler thread). The watchdog lets such a loop down to normal priority until it progresses,
 * then gives it SCHED_FIFO back. It also sets the loops' scheduling for their budgets
 * ({@link #wantRealtime}), under the same lock, so neither undoes the other.
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
    /** Byte offset of the loop's progress: a count it moves on each socket read and each finished wake-up. */
    public static final int PROGRESS = 0;
    /** Byte offset of how many times the watchdog let the loop down to normal priority. */
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
     * @return the loop's slot for {@link #wantRealtime}, or {@code -errno}
     */
    public static native int watchThisThread(long handle, ByteBuffer shared);

    /**
     * The loop in {@code slot} runs under SCHED_FIFO ({@code true}, unless the watchdog has it let
     * down just now: then once it progresses) or at normal priority.
     *
     * @return 0 or {@code -errno}
     */
    public static native int wantRealtime(long handle, int slot, boolean fifo);

    /** Stops the watchdog thread (within a period) and frees the handle; the loops keep their scheduling. */
    public static native void stop(long handle);
}
