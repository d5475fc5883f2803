package org.sipshield.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.sipshield.jni.LoopWatchdog;

/**
 * An event loop's progress as its real-time watchdog ({@link RealtimeWatchdog}) reads it: a count the
 * loop moves on every socket read, every finished wake-up and every task it takes. A busy loop moves it
 * every few microseconds, signalling's tasks included (a call storm hands a loop thousands back to
 * back, each one short); a loop that moves it for none of them for milliseconds while on its CPU is
 * waiting for something else. One per loop, written by the loop only.
 */
final class LoopProgress {
    private final ByteBuffer watchdogMemory = ByteBuffer.allocateDirect(LoopWatchdog.SHARED_BYTES + Long.BYTES)
            .alignedSlice(Long.BYTES).order(ByteOrder.nativeOrder());
    private long count;

    void progressed() {
        // a plain store into direct memory: the watchdog, in C, only needs to see the count move, and x86
        // keeps stores in order; nothing here may allocate, whether the JIT has compiled it yet or not
        watchdogMemory.putLong(LoopWatchdog.PROGRESS, ++count);
    }

    /** The memory this loop shares with its watchdog, laid out as {@link LoopWatchdog} says. */
    ByteBuffer watchdogMemory() {
        return watchdogMemory;
    }
}
