package org.sipshield.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the test moves by hand, so expiry, cool-downs and timeouts are tested without waiting.
 * Safe to move from the test thread while the code under test reads it on others.
 */
public final class MutableClock extends Clock {
    private volatile Instant now;

    public MutableClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration duration) {
        now = now.plus(duration);
    }

    public void set(Instant instant) {
        now = instant;
    }

    /**
     * The instant it shows in nanoseconds since the epoch: a monotonic nanosecond source (in place of
     * System::nanoTime) for code that measures durations so, such as the media relay. Allocates nothing.
     */
    public long nanos() {
        Instant at = now;
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** Tests read instants, not wall times: the zone is always UTC, and this clock stays the one the test moves. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
