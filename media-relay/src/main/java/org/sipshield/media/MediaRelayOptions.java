package org.sipshield.media;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import org.sipshield.srtp.SrtpEngine;

/**
 * How a relay runs.
 *
 * @param bindAddress  the local address its ports are bound on (and that SDP advertises)
 * @param ports        the RTP/RTCP port range
 * @param mediaTimeout silence after which a session reports a media timeout (at least 1 s)
 * @param latching     how plain RTP legs latch
 * @param engine       the SRTP engine of the sessions it opens (OPENSSL in production)
 * @param ioThreads    event loops; each relay session lives on one of them
 * @param realtimePriority 0: the event loops run at normal priority; 1..98: under SCHED_FIFO at this
 *                     priority, each within its {@link RealtimeBudget} (media.realtimePriority; MediaRelay#runLoopsInRealtime)
 * @param batchWindow  0: a loop reads each packet as it comes; more: once packets come faster than one per window, a loop
 *                     reads at most once per window, all that came meanwhile ({@link BatchWindow}; media.batchWindowMicros);
 *                     at most {@link #MAX_BATCH_WINDOW}
 */
public record MediaRelayOptions(InetAddress bindAddress, PortRange ports, Duration mediaTimeout, LatchingPolicy latching,
        SrtpEngine engine, int ioThreads, int realtimePriority, Duration batchWindow) {
    public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofNanos(200_000);
    /** The event loops' SCHED_FIFO priority by default (media.realtimePriority). */
    public static final int DEFAULT_REALTIME_PRIORITY = 10;
    /** The highest: the loops' watchdog (RealtimeWatchdog) runs one above. */
    public static final int MAX_REALTIME_PRIORITY = 98;
    /** A packet waits up to about a window more: a millisecond is the most a relay may add (bench/README.md). */
    public static final Duration MAX_BATCH_WINDOW = Duration.ofMillis(1);

    public MediaRelayOptions {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(latching, "latching");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(batchWindow, "batchWindow");
        if (mediaTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("media timeout must be at least 1 s, got " + mediaTimeout);
        }
        if (ioThreads < 1 || ioThreads > 64) {
            throw new IllegalArgumentException("ioThreads must be 1..64, got " + ioThreads);
        }
        if (realtimePriority < 0 || realtimePriority > MAX_REALTIME_PRIORITY) {
            throw new IllegalArgumentException("realtimePriority must be 0.." + MAX_REALTIME_PRIORITY
                    + " (its watchdog takes the priority above), got " + realtimePriority);
        }
        if (batchWindow.isNegative() || batchWindow.compareTo(MAX_BATCH_WINDOW) > 0) {
            throw new IllegalArgumentException("batchWindow must be 0.." + MAX_BATCH_WINDOW.toNanos() / 1000 + " us, got " + batchWindow);
        }
    }

    /** With the {@link #DEFAULT_BATCH_WINDOW}. */
    public MediaRelayOptions(InetAddress bindAddress, PortRange ports, Duration mediaTimeout, LatchingPolicy latching,
            SrtpEngine engine, int ioThreads, int realtimePriority) {
        this(bindAddress, ports, mediaTimeout, latching, engine, ioThreads, realtimePriority, DEFAULT_BATCH_WINDOW);
    }

    public static MediaRelayOptions defaults(InetAddress bindAddress, PortRange ports) {
        return new MediaRelayOptions(bindAddress, ports, Duration.ofSeconds(60), LatchingPolicy.SIGNALLED_ADDRESS,
                SrtpEngine.OPENSSL, Math.max(1, Runtime.getRuntime().availableProcessors()), DEFAULT_REALTIME_PRIORITY);
    }

    public MediaRelayOptions withMediaTimeout(Duration timeout) {
        return new MediaRelayOptions(bindAddress, ports, timeout, latching, engine, ioThreads, realtimePriority, batchWindow);
    }

    public MediaRelayOptions withLatching(LatchingPolicy policy) {
        return new MediaRelayOptions(bindAddress, ports, mediaTimeout, policy, engine, ioThreads, realtimePriority, batchWindow);
    }

}
