package org.sipshield.proxy.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What became of the step's registrations: each ends exactly once, as ok, failed or timed out. */
final class LoadStats {
    private final long[] latencies;
    private final AtomicInteger latencyCount = new AtomicInteger();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong connectionErrors = new AtomicLong();
    private volatile boolean stopping;
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    LoadStats(int registrations) {
        this.latencies = new long[registrations];
    }

    /** A 200 to the REGISTER with credentials, nanos after that REGISTER was written. */
    void ok(long latencyNanos) {
        int i = latencyCount.getAndIncrement();
        if (i < latencies.length) {
            latencies[i] = latencyNanos;
        }
        ok.incrementAndGet();
    }

    void failed(String why) {
        failures.computeIfAbsent(why, w -> new LongAdder()).increment();
        failed.incrementAndGet();
    }

    /** A connection broke (TLS or framing error): counted apart, the registrations it ends count as failed. */
    void connectionError(String why) {
        failures.computeIfAbsent("connection-error-" + why, w -> new LongAdder()).increment();
        connectionErrors.incrementAndGet();
    }

    long connectionErrors() {
        return connectionErrors.get();
    }

    void timedOut() {
        timeouts.incrementAndGet();
    }

    /** The generator closes its connections now: a close is no longer news. */
    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    long ended() {
        return ok.get() + failed.get() + timeouts.get();
    }

    long ok() {
        return ok.get();
    }

    /** One line for the script: the counts, p50/p99 of REGISTER-with-credentials -> 200 in ms, why some failed. */
    String resultLine(long registrations) {
        int n = Math.min(latencyCount.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        Map<String, Long> why = new TreeMap<>();
        failures.forEach((k, v) -> why.put(k, v.sum()));
        return String.format(Locale.ROOT, "RESULT registrations=%d ok=%d failed=%d timeouts=%d connection_errors=%d p50_ms=%s p99_ms=%s failures=%s",
                registrations, ok.get(), failed.get(), timeouts.get(), connectionErrors.get(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                why.isEmpty() ? "none" : why.toString().replace(' ', '_'));
    }

    private static String percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return "-";
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return String.format(Locale.ROOT, "%.1f", sorted[Math.max(0, rank - 1)] / 1e6);
    }
}
