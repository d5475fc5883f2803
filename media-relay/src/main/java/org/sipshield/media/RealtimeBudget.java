package org.sipshield.media;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sipshield.jni.LoopWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one real-time event loop (media.realtimePriority) from holding its CPU to the end.
 *
 * <p>Under SCHED_FIFO a loop runs until it has nothing left to read. A loop that keeps busy for
 * longer than the kernel allows real-time threads (kernel.sched_rt_runtime_us, 950 ms of each
 * second by default) is stopped for the rest of that second (50 ms of media late at once), and until
 * then every normal thread on its CPU (SIP signalling, the JIT recompiling, the GC) gets nothing:
 * the benchmark saw a loop at saturation go 47 ms late (bench/media-results.md). So the loop
 * measures its own CPU time every {@link #WINDOW_NANOS}: busier than {@link #DEMOTE_ABOVE} of a
 * window (the kernel's limit less a margin: a loop is measured once a window), it goes to the fair
 * scheduler at nice -20 ({@link LoopWatchdog#FAIR_FIRST}); after at least {@link #HOLD_NANOS} there
 * and a window under {@link #PROMOTE_BELOW}, it takes SCHED_FIFO again. The margin between the two
 * keeps a loop near the line from switching at every window. At nice -20 a loop keeps some 99% of its
 * CPU against a normal thread that wants all of it, and that thread still runs: at nice 0 a loop at
 * saturation shared its CPU half and half with whatever else woke there (a compile, a kernel thread).
 *
 * <p>Its loop's scheduling is set through the loop's {@link RealtimeWatchdog}, which may also let
 * the loop down for a moment; the budget says when the watchdog did (at most once per
 * {@link #LET_DOWN_REPORT_NANOS}).
 *
 * <p>Everything but the constructor runs on the loop; the lines it logs are written by the relay's
 * signalling thread (a blocking appender must not stall the loop). It allocates only when it
 * changes the loop's priority or reports a let-down.
 */
final class RealtimeBudget {
    private static final Logger LOG = LoggerFactory.getLogger(MediaRelay.class);
    static final long WINDOW_NANOS = 250_000_000L;
    /** Overridable for measurements side by side (sipshield.media.demoteAbove), not configuration. */
    static final double DEMOTE_ABOVE = Double.parseDouble(System.getProperty("sipshield.media.demoteAbove", "0.93"));
    /**
     * 0.80 kept a loop that had once been demoted, then carried 80% of its CPU for a whole 20 s
     * benchmark step, at normal priority for all of it: a p99 added of 4.8 ms where the loop under
     * SCHED_FIFO added 0.4 ms (bench/media-results.md, 2026-12-04 night).
     */
    static final double PROMOTE_BELOW = 0.85;
    /** Overridable for measurements side by side (sipshield.media.fairHoldMillis), not configuration. */
    static final long HOLD_NANOS = 1_000_000L * Long.getLong("sipshield.media.fairHoldMillis", 5_000L);
    static final long LET_DOWN_REPORT_NANOS = 10_000_000_000L;

    /** What one window's reading asks of the loop. */
    enum Change { NONE, TO_FAIR_SCHEDULER, TO_REALTIME }

    private final int priority;
    private final RealtimeWatchdog.Loop watched;
    private final Executor logWriter;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private boolean realtime = true;
    private boolean paused;
    private long lastCpu = -1;
    private long lastWall;
    /** The share of the last window the loop was busy, for the line that says why its scheduling changed. */
    private double lastBusy;
    private long demotedAt;
    private long demotions;
    private long letDownsReported;
    private long letDownReportedAt;

    /**
     * @param priority the loop's SCHED_FIFO priority (1..98), which it has when this starts
     * @param watched the loop as its watchdog knows it: the budget sets its scheduling through it
     */
    RealtimeBudget(int priority, RealtimeWatchdog.Loop watched, Executor logWriter) {
        this.priority = priority;
        this.watched = watched;
        this.logWriter = logWriter;
    }

    /**
     * Starts checking the loop it is called on, every window. False when this JVM cannot read a
     * thread's CPU time: then the loop has no budget, and the caller takes it back to normal priority.
     */
    boolean startOnThisLoop(ScheduledExecutorService loop) {
        if (!threads.isCurrentThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
            return false;
        }
        // with a fixed delay, not a fixed rate: a loop held past several windows must not run the missed
        // checks back to back, each over a window of microseconds
        loop.scheduleWithFixedDelay(this::check, WINDOW_NANOS, WINDOW_NANOS, TimeUnit.NANOSECONDS);
        return true;
    }

    /**
     * The loop goes to normal priority (nice 0) and the budget stops checking, until {@link #resume}:
     * for the relay's warm-up, which keeps a loop busy on purpose (alone on its CPU: all of it, for
     * about a second) while the JIT compiles what it runs.
     */
    void pause() {
        paused = true;
        watched.want(LoopWatchdog.FAIR);
    }

    /** The loop takes SCHED_FIFO again, and the budget counts its first window from now. */
    void resume() {
        paused = false;
        realtime = true;
        lastCpu = -1;
        int result = watched.want(LoopWatchdog.REALTIME);
        if (result < 0) {
            realtime = false;
            demotedAt = System.nanoTime();
            write(() -> LOG.warn("media relay: an event loop could not take SCHED_FIFO again (errno {})", -result));
        }
    }

    private void check() {
        if (paused) {
            return;
        }
        long wall = System.nanoTime();
        reportLetDowns(wall);
        long window = wall - lastWall;
        Change change = decide(threads.getCurrentThreadCpuTime(), wall);
        if (change == Change.NONE) {
            return;
        }
        int result = watched.want(change == Change.TO_REALTIME ? LoopWatchdog.REALTIME : LoopWatchdog.FAIR_FIRST);
        String busyShare = String.format(java.util.Locale.ROOT, "%.0f%%", 100.0 * lastBusy);
        if (result < 0) {
            // the loop's scheduling is as it was, and so is this budget's view of it; it asks again after a hold
            realtime = change != Change.TO_REALTIME;
            demotedAt = wall;
            write(() -> LOG.warn("media relay: an event loop could not change its scheduling (errno {}), busy {} of the last window",
                    -result, busyShare));
        } else if (change == Change.TO_FAIR_SCHEDULER) {
            long count = demotions;
            write(() -> LOG.warn("media relay: an event loop was busy {} of the last {} ms and leaves SCHED_FIFO for the fair "
                    + "scheduler at nice -20, so that the kernel's real-time throttling does not stop it and other threads on "
                    + "its CPU still run (times since start: {}); it takes SCHED_FIFO again when under {}%", busyShare,
                    window / 1_000_000, count, Math.round(PROMOTE_BELOW * 100)));
        } else {
            write(() -> LOG.info("media relay: an event loop busy {} of the last window runs under SCHED_FIFO again, priority {}",
                    busyShare, priority));
        }
    }

    /** How many times the loop's watchdog let it down (any thread may ask). */
    long letDowns() {
        return watched.letDowns();
    }

    private void reportLetDowns(long wall) {
        long letDowns = watched.letDowns();
        if (letDowns == letDownsReported || (letDownsReported != 0 && wall - letDownReportedAt < LET_DOWN_REPORT_NANOS)) {
            return;
        }
        long since = letDowns - letDownsReported;
        long longestMillis = watched.longestStallNanos() / 1_000_000;
        letDownsReported = letDowns;
        letDownReportedAt = wall;
        write(() -> LOG.warn("media relay: an event loop under SCHED_FIFO or at nice -20 ran flat out without reading a socket or finishing a "
                + "wake-up, waiting for a thread its priority kept from running (the JIT installing code, typically); its "
                + "watchdog let it down to nice 0 until it went on ({} more times, {} since start, the longest {} ms)", since, letDowns,
                longestMillis));
    }

    /**
     * One reading of the loop's thread: its CPU time and the monotonic clock, both in nanoseconds
     * and cumulative. The first reading only starts the first window.
     */
    Change decide(long cpuNanos, long wallNanos) {
        if (lastCpu < 0) {
            lastCpu = cpuNanos;
            lastWall = wallNanos;
            return Change.NONE;
        }
        long window = wallNanos - lastWall;
        if (window < WINDOW_NANOS / 2) {
            // too short to say how busy the loop is (one packet burst can fill a millisecond); counted on
            return Change.NONE;
        }
        double busy = (double) (cpuNanos - lastCpu) / window;
        lastBusy = busy;
        lastCpu = cpuNanos;
        lastWall = wallNanos;
        if (realtime && busy > DEMOTE_ABOVE) {
            realtime = false;
            demotedAt = wallNanos;
            demotions++;
            return Change.TO_FAIR_SCHEDULER;
        }
        if (!realtime && busy < PROMOTE_BELOW && wallNanos - demotedAt >= HOLD_NANOS) {
            realtime = true;
            return Change.TO_REALTIME;
        }
        return Change.NONE;
    }

    private void write(Runnable line) {
        try {
            logWriter.execute(line);
        } catch (RejectedExecutionException relayClosing) {
            line.run();
        }
    }
}
