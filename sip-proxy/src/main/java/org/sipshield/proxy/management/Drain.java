package org.sipshield.proxy.management;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful stop. Once started, the proxy is not ready and refuses new calls (503, Retry-After)
 * while calls in progress go on; when they have all ended, or the grace time has run out, those
 * still up are ended with BYE on both legs (with a Reason header) and {@code then} runs (the
 * process exits). Starting twice (SIGTERM after POST /drain) joins the drain under way.
 */
public final class Drain {
    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    /** The Reason of the BYEs that end calls still up (RFC 3326): a stop, not a hang-up. */
    public static final String REASON = "SIP;cause=503;text=\"sipshield is stopping\"";
    /** Time for the far ends' answers to those BYEs (and one retransmission over UDP) before the stack stops. */
    private static final Duration BYE_SETTLING = Duration.ofSeconds(1);

    private final AtomicBoolean draining = new AtomicBoolean();
    private final CountDownLatch callsEnded = new CountDownLatch(1);

    public boolean draining() {
        return draining.get();
    }

    /**
     * Starts the drain on its own thread; false (and nothing else) if one is under way already.
     * endAllCalls gets the Reason header value and returns how many calls it ended.
     */
    public boolean start(String who, Duration grace, IntSupplier activeCalls, ToIntFunction<String> endAllCalls,
            Runnable then) {
        if (!draining.compareAndSet(false, true)) {
            return false;
        }
        LOG.info("draining (by {}): new calls refused; {} call(s) in progress get up to {} s", who,
                activeCalls.getAsInt(), grace.toSeconds());
        Thread thread = new Thread(() -> {
            try {
                waitForCalls(grace, activeCalls);
                int left = activeCalls.getAsInt();
                if (left > 0) {
                    int ended = endAllCalls.applyAsInt(REASON);
                    LOG.info("drain time over: {} call(s) ended with BYE on both legs", ended);
                    Thread.sleep(BYE_SETTLING.toMillis());
                } else {
                    LOG.info("drained: no call in progress");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                callsEnded.countDown();
            }
            then.run();
        }, "sipshield-drain");
        thread.setDaemon(true);
        thread.start();
        return true;
    }

    /** Blocks until no call is left (ended or drained), e.g. in the shutdown hook before the listeners close. */
    public void awaitCallsEnded() throws InterruptedException {
        callsEnded.await();
    }

    private static void waitForCalls(Duration grace, IntSupplier activeCalls) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (activeCalls.getAsInt() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(200);
        }
    }
}
