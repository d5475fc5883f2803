package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What LoopWatchdog refuses before it touches any thread's scheduling: priorities it could not stand
 * one above (0, 99), periods of a second or more, and memory it could not share with a loop (not
 * direct, too small). Watching a loop and letting it down are media-relay's RealtimeEventLoopTest,
 * on a real relay.
 */
class LoopWatchdogTest {
    private static final int EINVAL = 22;
    private static final int EPERM = 1;

    @Test
    void prioritiesAndPeriodsItCannotKeepAreRefused() {
        assertEquals(-EINVAL, LoopWatchdog.start(0, 2_000_000L, 4_000_000L), "no priority");
        assertEquals(-EINVAL, LoopWatchdog.start(99, 2_000_000L, 4_000_000L), "no priority above 99 for the watchdog");
        assertEquals(-EINVAL, LoopWatchdog.start(10, 0, 4_000_000L), "no period");
        assertEquals(-EINVAL, LoopWatchdog.start(10, 1_000_000_000L, 4_000_000L), "a second or more");
        assertEquals(-EINVAL, LoopWatchdog.start(10, 2_000_000L, 0), "no time to be stuck");
    }

    @Test
    void memoryItCannotShareWithALoopIsRefusedAndTheThreadKeepsItsScheduling() throws Exception {
        long handle = startAtPriority10();
        if (handle == -EPERM) {
            return; // no root or CAP_SYS_NICE: nothing to watch with (the relay then runs at normal priority)
        }
        try {
            assertEquals(-EINVAL, LoopWatchdog.watchThisThread(handle, ByteBuffer.allocate(LoopWatchdog.SHARED_BYTES)),
                    "heap memory");
            assertEquals(-EINVAL, LoopWatchdog.watchThisThread(handle, ByteBuffer.allocateDirect(LoopWatchdog.SHARED_BYTES - 8)),
                    "too small");
            assertEquals(-EINVAL, LoopWatchdog.want(handle, 0, LoopWatchdog.REALTIME), "no loop in slot 0");
            assertTrue(thisThreadsScheduling().startsWith("0 "), "this thread's policy: still SCHED_OTHER");
        } finally {
            LoopWatchdog.stop(handle);
        }
    }

    /** Each scheduling a loop may want, as the kernel then reports this thread's: policy, real-time priority, nice. */
    @Test
    void aWatchedThreadRunsAsItWantsAndAnythingElseIsRefused() throws Exception {
        long handle = startAtPriority10();
        if (handle == -EPERM) {
            return; // no root or CAP_SYS_NICE: nothing to watch with (the relay then runs at normal priority)
        }
        ByteBuffer shared = ByteBuffer.allocateDirect(LoopWatchdog.SHARED_BYTES);
        try {
            int slot = LoopWatchdog.watchThisThread(handle, shared);
            assertEquals(0, slot, "the first slot");
            try {
                assertEquals("1 10 0", thisThreadsScheduling(), "watched: SCHED_FIFO at the loop priority");
                assertEquals(0, LoopWatchdog.want(handle, slot, LoopWatchdog.FAIR_FIRST));
                assertEquals("0 0 -20", thisThreadsScheduling(), "FAIR_FIRST");
                assertEquals(0, LoopWatchdog.want(handle, slot, LoopWatchdog.REALTIME));
                // under SCHED_FIFO the kernel keeps the thread's nice value, which then means nothing
                assertTrue(thisThreadsScheduling().startsWith("1 10 "), "REALTIME again");
                assertEquals(-EINVAL, LoopWatchdog.want(handle, slot, 3), "a scheduling that does not exist");
                assertEquals(-EINVAL, LoopWatchdog.want(handle, slot, -1), "a scheduling that does not exist");
                assertTrue(thisThreadsScheduling().startsWith("1 10 "), "unchanged by a refusal");
            } finally {
                assertEquals(0, LoopWatchdog.want(handle, slot, LoopWatchdog.FAIR));
            }
            assertEquals("0 0 0", thisThreadsScheduling(), "FAIR");
        } finally {
            LoopWatchdog.stop(handle);
        }
    }

    /** A watchdog for loops at priority 10 (2 ms period, 4 ms stuck): its handle, or -EPERM without the right to it. */
    private static long startAtPriority10() {
        long handle = LoopWatchdog.start(10, 2_000_000L, 4_000_000L);
        assertTrue(handle > 0 || handle == -EPERM, "a handle or EPERM: " + handle);
        return handle;
    }

    /** Fields 41 (policy), 40 (real-time priority) and 19 (nice) of proc(5)'s stat for this thread. */
    private static String thisThreadsScheduling() throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return f[41 - 3] + " " + f[40 - 3] + " " + f[19 - 3];
    }
}
