package org.sipshield.media.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the scheduler did with each thread of a relay's process, from /proc/PID/task/TID/schedstat:
 * nanoseconds on a CPU and nanoseconds runnable but waiting for one. A relay whose packets are late
 * while its busiest thread waited for a CPU lost them to the machine (the generator's threads, other
 * tenants), not to its own code: the same measure for every relay.
 */
record ThreadSchedule(Map<Long, long[]> threads) {
    /** Now, for every thread of process {@code pid}; empty when /proc does not say. */
    static ThreadSchedule of(long pid) {
        Map<Long, long[]> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            tasks.forEach(task -> {
                try {
                    String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    threads.put(Long.parseLong(task.getFileName().toString()), new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
                } catch (IOException | RuntimeException gone) {
                    // a thread that ended meanwhile
                }
            });
        } catch (IOException e) {
            // no /proc: nothing to say
        }
        return new ThreadSchedule(threads);
    }

    /**
     * Of the thread that ran longest since {@code before} (a relay's event loop or poller), the
     * milliseconds it waited, runnable, for a CPU; -1 when unknown.
     */
    double busiestThreadWaitMillis(ThreadSchedule before) {
        long bestRun = -1;
        long wait = -1;
        for (Map.Entry<Long, long[]> t : threads.entrySet()) {
            long[] then = before.threads.getOrDefault(t.getKey(), new long[2]);
            long ran = t.getValue()[0] - then[0];
            if (ran > bestRun) {
                bestRun = ran;
                wait = t.getValue()[1] - then[1];
            }
        }
        return wait < 0 ? -1 : wait / 1e6;
    }
}
