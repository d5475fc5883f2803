package org.sipshield.proxy.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StallWatchdogTest {
    private final AtomicLong now = new AtomicLong();
    private final StallWatchdog watchdog = new StallWatchdog(Duration.ofSeconds(10), now::get);

    @Test
    void aThreadStuckBeyondTheThresholdIsOneStallReportedOnce() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread stuck = new Thread(() -> {
            watchdog.begin("INVITE request");
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                watchdog.end();
            }
        }, "stuck-signalling-thread");
        stuck.start();
        entered.await(60, TimeUnit.SECONDS);

        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertEquals(0, watchdog.check(), "exactly the threshold is not a stall yet");
        assertEquals(0, watchdog.stallsDetected());

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertEquals(1, watchdog.check());
        assertEquals(1, watchdog.stallsDetected());
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        assertEquals(1, watchdog.check(), "still stuck");
        assertEquals(1, watchdog.stallsDetected(), "the same stall is not counted twice");

        release.countDown();
        stuck.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(0, watchdog.check());
        assertEquals(1, watchdog.stallsDetected());
    }

    @Test
    void shortWorkNeverStalls() {
        for (int i = 0; i < 1000; i++) {
            watchdog.begin("REGISTER request");
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(20));
            watchdog.end();
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        assertEquals(0, watchdog.check());
        assertEquals(0, watchdog.stallsDetected());
    }

    @Test
    void nestedCallbacksRestoreTheOuterWork() {
        watchdog.begin("INVITE request");
        now.addAndGet(TimeUnit.SECONDS.toNanos(8));
        watchdog.begin("response");
        watchdog.end();
        now.addAndGet(TimeUnit.SECONDS.toNanos(8));
        assertEquals(1, watchdog.check(), "the outer message has been in progress for 16 s");
        watchdog.end();
        assertEquals(0, watchdog.check());
    }

    @Test
    void theDumpNamesEveryThreadWithItsStack() {
        String dump = StallWatchdog.threadDump();
        assertTrue(dump.contains('"' + Thread.currentThread().getName() + '"'), dump);
        assertTrue(dump.contains("theDumpNamesEveryThreadWithItsStack"), dump);
    }
}
