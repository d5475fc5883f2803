package org.sipshield.proxy.watchdog;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a stall of the signalling threads loud: each message the SIP stack hands us is marked as
 * work in progress on its thread ({@link #watch}); a thread that works on one message for longer
 * than the threshold is logged at WARN with what it was doing and a dump of every thread (stacks,
 * locks held and waited for), once per stall, and again when it makes progress. A deadlock or a
 * lock held across slow I/O then shows in the log within seconds instead of as a proxy that
 * silently stops answering.
 *
 * <p>The check runs on a thread of its own, so a stall of any other thread cannot silence it.
 */
public final class StallWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StallWatchdog.class);

    /** One message being handled by one thread. */
    private static final class Work {
        final String what;
        final long sinceNanos;
        final Work outer; // a callback made from inside another one on the same thread
        volatile boolean reported;

        Work(String what, long sinceNanos, Work outer) {
            this.what = what;
            this.sinceNanos = sinceNanos;
            this.outer = outer;
        }
    }

    private final long thresholdNanos;
    private final LongSupplier nanoTime;
    private final Map<Thread, Work> busy = new ConcurrentHashMap<>();
    private final AtomicLong stalls = new AtomicLong();
    private ScheduledExecutorService checker;

    public StallWatchdog(Duration threshold) {
        this(threshold, System::nanoTime);
    }

    /** nanoTime: the clock of the check (tests move it by hand). */
    public StallWatchdog(Duration threshold, LongSupplier nanoTime) {
        if (threshold.isNegative() || threshold.isZero()) {
            throw new IllegalArgumentException("threshold must be positive");
        }
        this.thresholdNanos = threshold.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Checks every quarter of the threshold (at least every 10 s) on a daemon thread of its own. */
    public synchronized void start() {
        if (checker != null) {
            return;
        }
        checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sipshield-stall-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(thresholdNanos / 4, TimeUnit.SECONDS.toNanos(10)));
        checker.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                LOG.warn("stall watchdog check failed: {}", e.toString());
            }
        }, period, period, TimeUnit.NANOSECONDS);
    }

    /** Marks the calling thread busy with {@code what} until {@link #end()}. */
    public void begin(String what) {
        Thread thread = Thread.currentThread();
        busy.put(thread, new Work(what, nanoTime.getAsLong(), busy.get(thread)));
    }

    /** The calling thread finished the message it began last. */
    public void end() {
        Thread thread = Thread.currentThread();
        Work work = busy.get(thread);
        if (work == null) {
            return;
        }
        if (work.outer == null) {
            busy.remove(thread);
        } else {
            busy.put(thread, work.outer);
        }
        if (work.reported) {
            LOG.warn("STALL over: thread {} finished {} after {} ms", thread.getName(), work.what,
                    TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - work.sinceNanos));
        }
    }

    /** Looks for threads busy beyond the threshold; logs those not reported yet. Returns how many are stuck now. */
    public int check() {
        long now = nanoTime.getAsLong();
        List<String> stuck = new ArrayList<>();
        boolean newStall = false;
        for (Map.Entry<Thread, Work> entry : busy.entrySet()) {
            Work work = entry.getValue();
            long busyNanos = now - work.sinceNanos;
            if (busyNanos > thresholdNanos) {
                stuck.add(entry.getKey().getName() + " (" + work.what + ", " + TimeUnit.NANOSECONDS.toMillis(busyNanos)
                        + " ms)");
                if (!work.reported) {
                    work.reported = true;
                    newStall = true;
                }
            }
        }
        if (newStall) {
            stalls.incrementAndGet();
            LOG.warn("STALL: {} signalling thread(s) made no progress for more than {} ms: {}\n{}", stuck.size(),
                    TimeUnit.NANOSECONDS.toMillis(thresholdNanos), String.join(", ", stuck), threadDump());
        }
        return stuck.size();
    }

    /** How many stalls were detected since start (a stall: one or more threads newly found stuck). */
    public long stallsDetected() {
        return stalls.get();
    }

    /** Every live thread with its whole stack and the locks it holds or waits for (ThreadInfo.toString cuts at 8 frames). */
    static String threadDump() {
        StringBuilder dump = new StringBuilder("thread dump:\n");
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            dump.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
            if (info.getLockName() != null) {
                dump.append(" on ").append(info.getLockName());
            }
            if (info.getLockOwnerName() != null) {
                dump.append(" owned by \"").append(info.getLockOwnerName()).append('"');
            }
            dump.append('\n');
            StackTraceElement[] stack = info.getStackTrace();
            MonitorInfo[] monitors = info.getLockedMonitors();
            for (int i = 0; i < stack.length; i++) {
                dump.append("    at ").append(stack[i]).append('\n');
                for (MonitorInfo monitor : monitors) {
                    if (monitor.getLockedStackDepth() == i) {
                        dump.append("    - locked ").append(monitor).append('\n');
                    }
                }
            }
            for (LockInfo lock : info.getLockedSynchronizers()) {
                dump.append("    - holds ").append(lock).append('\n');
            }
            dump.append('\n');
        }
        return dump.toString();
    }

    @Override
    public synchronized void close() {
        if (checker != null) {
            checker.shutdownNow();
            checker = null;
        }
    }
}
