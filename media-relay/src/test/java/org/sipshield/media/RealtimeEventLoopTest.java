package org.sipshield.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MediaRelayOptions.realtimePriority: every event loop of the relay runs under SCHED_FIFO at the priority given,
 * as the kernel reports it for the loop's own thread (/proc/thread-self/stat), or at normal priority
 * without one. Without the right to (no root, no CAP_SYS_NICE) the loops stay at normal priority.
 * A loop kept busy returns to normal priority, and takes SCHED_FIFO again once quiet (RealtimeBudget).
 */
class RealtimeEventLoopTest {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_FIFO = 1;
    private static final int PORT_MIN = 31900;

    @Test
    void everyEventLoopRunsUnderSchedFifoAtTheConfiguredPriority() throws Exception {
        int[] expected = mayUseRealtime() ? new int[] {SCHED_FIFO, 7} : new int[] {SCHED_OTHER, 0};
        for (int[] loop : schedulingOfEveryLoop(7)) {
            assertArrayEquals(expected, loop, "policy and real-time priority of an event loop");
        }
    }

    @Test
    void withoutAPriorityTheLoopsRunAtNormalPriority() throws Exception {
        for (int[] loop : schedulingOfEveryLoop(0)) {
            assertArrayEquals(new int[] {SCHED_OTHER, 0}, loop, "policy and real-time priority of an event loop");
        }
    }

    @Test
    void aLoopKeptBusyReturnsToNormalPriorityAndTakesSchedFifoAgainOnceQuiet() throws Exception {
        boolean realtime = mayUseRealtime();
        try (MediaRelay relay = relay(1, 7)) {
            RelaySession session = relay.openSessionSilenceMayLast("busy loop");
            assertArrayEquals(realtime ? new int[] {SCHED_FIFO, 7} : new int[] {SCHED_OTHER, 0},
                    session.onLoop(RealtimeEventLoopTest::thisThreadsScheduling), "before the load");
            // the loop busy 50 ms at a time, back to back, until it is at normal priority (at most 10 s of it;
            // its budget checks every 250 ms)
            int[] busy = null;
            for (int round = 0; round < 200 && (busy == null || busy[0] != SCHED_OTHER); round++) {
                busy = session.onLoop(() -> {
                    long until = System.nanoTime() + 50_000_000L;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    return thisThreadsScheduling();
                });
            }
            assertArrayEquals(new int[] {SCHED_OTHER, 0}, busy, "a loop kept busy");
            // quiet: after the 5 s hold it takes SCHED_FIFO again (looked at every 250 ms, at most 30 s)
            int[] quiet = busy;
            for (int look = 0; look < 120 && realtime && quiet[0] != SCHED_FIFO; look++) {
                Thread.sleep(250);
                quiet = session.onLoop(RealtimeEventLoopTest::thisThreadsScheduling);
            }
            assertArrayEquals(realtime ? new int[] {SCHED_FIFO, 7} : new int[] {SCHED_OTHER, 0}, quiet, "the loop once quiet");
            session.close();
        }
    }

    @Test
    void theWarmUpRunsAtNormalPriorityAndLeavesTheLoopUnderSchedFifo() throws Exception {
        boolean realtime = mayUseRealtime();
        try (MediaRelay relay = relay(1, 7)) {
            RelaySession first = relay.openSessionSilenceMayLast("the loop's thread");
            Path loopStat = Path.of("/proc/self/task/" + first.onLoop(() -> Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName().toString()) + "/stat");
            first.close();
            // the loop's policy, read from outside while it warms up (busy on purpose: it would count as load)
            java.util.Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicBoolean warming = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                for (int i = 0; i < 60_000 && warming.get(); i++) {
                    try {
                        seen.add(scheduling(Files.readString(loopStat))[0]);
                        Thread.sleep(1);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            watcher.start();
            assertEquals(1, relay.warmUp().eventLoops());
            warming.set(false);
            watcher.join();
            assertTrue(seen.contains(SCHED_OTHER), "the loop at normal priority during the warm-up: " + seen);
            RelaySession after = relay.openSessionSilenceMayLast("after the warm-up");
            assertArrayEquals(realtime ? new int[] {SCHED_FIFO, 7} : new int[] {SCHED_OTHER, 0},
                    after.onLoop(RealtimeEventLoopTest::thisThreadsScheduling), "after the warm-up");
            after.close();
        }
    }

    /** A relay with the production defaults but for its loops and their real-time priority (0: none). */
    private static MediaRelay relay(int loops, int priority) {
        MediaRelayOptions d = MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(PORT_MIN, PORT_MIN + 19));
        return MediaRelay.start(new MediaRelayOptions(d.bindAddress(), d.ports(), d.mediaTimeout(), d.latching(), d.engine(),
                loops, priority));
    }

    /** Policy and real-time priority of each of a two-loop relay's event loops, read on the loop itself. */
    private static List<int[]> schedulingOfEveryLoop(int priority) throws Exception {
        List<int[]> loops = new ArrayList<>();
        try (MediaRelay relay = relay(2, priority)) {
            // sessions go to the loops in turn: two sessions, both loops
            for (int i = 0; i < 2; i++) {
                RelaySession session = relay.openSessionSilenceMayLast("realtime " + i);
                loops.add(session.onLoop(RealtimeEventLoopTest::thisThreadsScheduling));
                session.close();
            }
        }
        assertEquals(2, loops.size());
        return loops;
    }

    /** Fields 41 (policy) and 40 (rt_priority) of proc(5)'s stat, counted after the command name's ')'. */
    private static int[] thisThreadsScheduling() throws IOException {
        return scheduling(Files.readString(Path.of("/proc/thread-self/stat")));
    }

    private static int[] scheduling(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new int[] {Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3])};
    }

    /** CAP_SYS_NICE (bit 23) in this process's effective capabilities: root has it. */
    private static boolean mayUseRealtime() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 23)) != 0;
            }
        }
        return false;
    }
}
