package org.sipshield.media;

import io.netty.channel.IoEventLoop;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The media timeout of every session on one event loop, checked by one periodic task for all of
 * them. One timer per session would mean, with thousands of calls, thousands of timer tasks per
 * period on the loop's scheduled-task heap (each added and cancelled with its call), and a timer
 * task that the JIT compiles with the whole packet path inlined in it (checking for silence first
 * forwards the packets already read): in the benchmark that compile ran for half a second while
 * the loop was at its busiest, and the loop fell behind (see DESIGN.md).
 * Everything here runs on the event loop, apart from the constructor.
 */
final class MediaTimeoutSweep {
    private final PacketBurst burst;
    private final LongSupplier nanoClock;
    private RelaySession[] sessions = new RelaySession[64];
    private int size;

    /** Checks every media timeout / 4, kept between 0.2 and 1 s. */
    MediaTimeoutSweep(IoEventLoop loop, PacketBurst burst, Duration mediaTimeout, LongSupplier nanoClock) {
        this.burst = burst;
        this.nanoClock = nanoClock;
        long period = Math.max(200_000_000L, Math.min(1_000_000_000L, mediaTimeout.toNanos() / 4));
        loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }

    /** The session's silence is checked from now on, until {@link #forget}. */
    void watch(RelaySession session) {
        if (session.sweepIndex >= 0) {
            return;
        }
        if (size == sessions.length) {
            sessions = Arrays.copyOf(sessions, size * 2);
        }
        sessions[size] = session;
        session.sweepIndex = size++;
    }

    /** The session ended: it leaves the sweep, its place taken by the last one. */
    void forget(RelaySession session) {
        int i = session.sweepIndex;
        if (i < 0) {
            return;
        }
        RelaySession last = sessions[--size];
        sessions[i] = last;
        last.sweepIndex = i;
        sessions[size] = null;
        session.sweepIndex = -1;
    }

    private void sweep() {
        burst.process(); // a packet read but not yet forwarded is media seen
        long now = nanoClock.getAsLong();
        // backwards: a session that times out leaves, and the one moved into its place was checked already
        // (i < size: a session-ended listener may close other sessions of this loop too)
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) {
                sessions[i].checkTimeout(now);
            }
        }
    }
}
