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
 * A loop kept busy goes to the fair scheduler at nice -20, and takes SCHED_FIFO again once quiet
 * (RealtimeBudget); a loop that spins for a thread it starves is let down to nice 0 (RealtimeWatchdog).
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
            // the loop busy 1 ms at a time, back to back, until it leaves SCHED_FIFO (at most 10 s of it;
            // its budget checks every 250 ms). Each task is one wake-up, finished well within the watchdog's
            // limit: a loop busy with its own work is its budget's to demote, never the watchdog's.
            int[] busy = keepBusyUntilItLeavesSchedFifo(session);
            assertArrayEquals(new int[] {SCHED_OTHER, 0}, busy, "a loop kept busy");
            assertEquals(realtime ? -20 : 0, session.onLoop(RealtimeEventLoopTest::thisThreadsNice), "its nice value");
            // quiet: after the 5 s hold it takes SCHED_FIFO again (looked at every 250 ms, at most 30 s)
            int expectedPolicy = realtime ? SCHED_FIFO : SCHED_OTHER;
            int[] quiet = lookUntil(session, RealtimeEventLoopTest::thisThreadsScheduling, seen -> seen[0] == expectedPolicy, 120, 250);
            assertArrayEquals(realtime ? new int[] {SCHED_FIFO, 7} : new int[] {SCHED_OTHER, 0}, quiet, "the loop once quiet");
            assertEquals(0, relay.realtimeLetDowns(), "let down by its watchdog");
            session.close();
        }
    }

    /**
     * The attacker here is HotSpot itself: a loop calling a method the JIT is replacing spins until the
     * compiler thread, at normal priority, has installed the new code. On the loop's CPU, under SCHED_FIFO,
     * that thread never runs, and only the kernel's real-time throttling ends the spin (a second of lost
     * media in the benchmark). The same wait, made on purpose: the loop spins until a normal thread pinned
     * to its CPU has run. The watchdog must let the loop down, the thread run, and the loop take SCHED_FIFO
     * back once it goes on. Without a watchdog the spin still ends (throttling), with no let-down.
     */
    @Test
    void aLoopSpinningForAThreadItsPriorityStarvesIsLetDownUntilItsWakeUpEnds() throws Exception {
        boolean realtime = mayUseRealtime();
        try (MediaRelay relay = relay(1, 7)) {
            RelaySession session = relay.openSessionSilenceMayLast("spinning loop");
            int[] whileTheHelperRan = spinUntilAThreadOnTheLoopsCpuHasRun(session);
            // let down: the fair scheduler at nice 0, where the thread it waits for gets half of its CPU
            assertArrayEquals(new int[] {SCHED_OTHER, 0, 0}, whileTheHelperRan,
                    "the loop's policy, real-time priority and nice value while the thread it waited for ran");
            // the loop's next wake-up ends its let-down; the watchdog sees it within a period or two
            int expectedPolicy = realtime ? SCHED_FIFO : SCHED_OTHER;
            int[] after = lookUntil(session, RealtimeEventLoopTest::thisThreadsScheduling, seen -> seen[0] == expectedPolicy, 1000, 5);
            assertArrayEquals(realtime ? new int[] {SCHED_FIFO, 7} : new int[] {SCHED_OTHER, 0}, after, "after the wait");
            assertEquals(realtime ? 1 : 0, relay.realtimeLetDowns(), "times the watchdog let the loop down");
            session.close();
        }
    }

    /**
     * A loop its budget has sent to nice -20 keeps some 99% of its CPU against a normal thread: one that
     * spins waiting for such a thread would wait long for it, so the watchdog lets it down as it lets
     * down a loop under SCHED_FIFO, and it goes back to nice -20 once it goes on.
     */
    @Test
    void aLoopAtNiceMinus20SpinningForAThreadItStarvesIsLetDownToo() throws Exception {
        boolean realtime = mayUseRealtime();
        try (MediaRelay relay = relay(1, 7)) {
            RelaySession session = relay.openSessionSilenceMayLast("busy, then spinning");
            assertArrayEquals(new int[] {SCHED_OTHER, 0}, keepBusyUntilItLeavesSchedFifo(session), "a loop kept busy");
            int[] whileTheHelperRan = spinUntilAThreadOnTheLoopsCpuHasRun(session);
            // let down to nice 0; without the watchdog it would have stayed at -20
            assertArrayEquals(new int[] {SCHED_OTHER, 0, 0}, whileTheHelperRan,
                    "the loop's policy, real-time priority and nice value while the thread it waited for ran");
            // within its budget's 5 s hold: back at nice -20, not under SCHED_FIFO
            int expectedNice = realtime ? -20 : 0;
            int nice = lookUntil(session, RealtimeEventLoopTest::thisThreadsNice, seen -> seen == expectedNice, 1000, 5);
            assertEquals(realtime ? -20 : 0, nice, "the loop's nice value after the wait");
            assertArrayEquals(new int[] {SCHED_OTHER, 0}, session.onLoop(RealtimeEventLoopTest::thisThreadsScheduling),
                    "after the wait");
            // at least this once: in about one run in three the busy loop, just at nice -20, was let down once
            // before (6 ms flat out without progress, for 9 ms: HotSpot replacing the code it ran, most likely)
            long letDowns = relay.realtimeLetDowns();
            assertTrue(realtime ? letDowns >= 1 : letDowns == 0, "times the watchdog let the loop down: " + letDowns);
            session.close();
        }
    }

    /**
     * A call storm: signalling hands a loop hundreds of short tasks at once, which it runs back to back,
     * flat out for longer than the watchdog's 4 ms without reading a socket. That is work, not a wait:
     * each task taken is progress, and the loop stays under SCHED_FIFO.
     */
    @Test
    void aLoopRunningManyShortTasksBackToBackIsNotLetDown() throws Exception {
        boolean realtime = mayUseRealtime();
        try (MediaRelay relay = relay(1, 7)) {
            RelaySession session = relay.openSessionSilenceMayLast("call storm");
            java.util.concurrent.CountDownLatch allQueued = new java.util.concurrent.CountDownLatch(1);
            // the first task holds the loop until the others are queued behind it: then they run back to back
            session.loop().execute(() -> {
                try {
                    allQueued.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<io.netty.util.concurrent.Future<int[]>> storm = new ArrayList<>();
            for (int task = 0; task < 200; task++) {
                storm.add(session.loop().submit(() -> {
                    long until = System.nanoTime() + 100_000L;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    return thisThreadsScheduling();
                }));
            }
            allQueued.countDown();
            int[] last = storm.get(storm.size() - 1).get();
            // 20 ms flat out, under the budget's first 250 ms window: still SCHED_FIFO, never let down
            assertArrayEquals(realtime ? new int[] {SCHED_FIFO, 7} : new int[] {SCHED_OTHER, 0}, last, "after the storm");
            assertEquals(0, relay.realtimeLetDowns(), "times the watchdog let the loop down");
            session.close();
        }
    }

    /** Looks on the loop every {@code sleepMillis}, at most {@code looks} times, until {@code done}: the last look. */
    private static <T> T lookUntil(RelaySession session, java.util.concurrent.Callable<T> look, java.util.function.Predicate<T> done,
            int looks, long sleepMillis) throws InterruptedException {
        T seen = null;
        for (int i = 0; i < looks && (seen == null || !done.test(seen)); i++) {
            Thread.sleep(sleepMillis);
            seen = session.onLoop(look);
        }
        return seen;
    }

    /** The loop busy 1 ms at a time, back to back, until it leaves SCHED_FIFO (at most 10 s): its scheduling then. */
    private static int[] keepBusyUntilItLeavesSchedFifo(RelaySession session) throws Exception {
        int[] busy = null;
        for (int round = 0; round < 10_000 && (busy == null || busy[0] != SCHED_OTHER); round++) {
            busy = session.onLoop(() -> {
                long until = System.nanoTime() + 1_000_000L;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                return thisThreadsScheduling();
            });
        }
        return busy;
    }

    /**
     * The loop spins until a thread at normal priority, pinned (taskset) to the loop's CPU, has had 20 ms
     * of that CPU (as a compile the loop waits for would: against a loop at nice -20 a thread that wants
     * only a moment gets it within a tick or so, one that wants 20 ms gets a hundredth of the CPU); that
     * thread then reads the loop's scheduling. Returns what it read: policy, real-time priority, nice.
     */
    private static int[] spinUntilAThreadOnTheLoopsCpuHasRun(RelaySession session) throws Exception {
        String loopTid = session.onLoop(RealtimeEventLoopTest::thisThreadsId);
        String cpu = Integer.toString(session.onLoop(RealtimeEventLoopTest::thisThreadsCpu));
        pin(loopTid, cpu);
        Path loopStat = Path.of("/proc/self/task/" + loopTid + "/stat");
        java.util.concurrent.atomic.AtomicBoolean spinning = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean helperRan = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<int[]> seen = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Exception> helperFailed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread helper = new Thread(() -> {
            try {
                for (int i = 0; i < 10_000 && !spinning.get(); i++) {
                    Thread.sleep(1);
                }
                // from here on this thread runs only on the loop's CPU, which the spinning loop holds
                pin(thisThreadsId(), cpu);
                java.lang.management.ThreadMXBean cpuTime = java.lang.management.ManagementFactory.getThreadMXBean();
                long from = cpuTime.getCurrentThreadCpuTime();
                while (cpuTime.getCurrentThreadCpuTime() - from < 20_000_000L) {
                    Thread.onSpinWait();
                }
                String stat = Files.readString(loopStat);
                int[] scheduling = scheduling(stat);
                seen.set(new int[] {scheduling[0], scheduling[1], nice(stat)});
                helperRan.set(true);
            } catch (Exception e) {
                helperFailed.set(e);
                helperRan.set(true);
            }
        }, "normal-priority helper");
        helper.start();
        boolean waitEnded = session.onLoop(() -> {
            spinning.set(true);
            long giveUp = System.nanoTime() + 5_000_000_000L;
            while (!helperRan.get() && System.nanoTime() < giveUp) {
                Thread.onSpinWait();
            }
            return helperRan.get();
        });
        helper.join();
        assertEquals(null, helperFailed.get(), "the helper");
        assertTrue(waitEnded, "the thread the loop waited for ran before the loop gave up (5 s)");
        return seen.get();
    }

    private static String thisThreadsId() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    /** Field 39 of proc(5)'s stat: the CPU the thread last ran on. */
    private static int thisThreadsCpu() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ")[39 - 3]);
    }

    /** Util-linux's taskset: the thread runs on that CPU only. */
    private static void pin(String tid, String cpu) throws IOException, InterruptedException {
        Process taskset = new ProcessBuilder("taskset", "-pc", cpu, tid).redirectErrorStream(true).start();
        String out = new String(taskset.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, taskset.waitFor(), "taskset -pc " + cpu + " " + tid + ": " + out);
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

    private static int thisThreadsNice() throws IOException {
        return nice(Files.readString(Path.of("/proc/thread-self/stat")));
    }

    /** Field 19 of proc(5)'s stat: the nice value. */
    private static int nice(String stat) {
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ")[19 - 3]);
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
