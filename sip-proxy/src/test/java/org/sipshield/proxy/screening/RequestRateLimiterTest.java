package org.sipshield.proxy.screening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets on a clock the test moves. */
class RequestRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private static InetAddress ip(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) last});
    }

    @Test
    void aSourceGetsItsBurstThenItsRate() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(10, 5, 100, now::get);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.admit(ip(1)), "burst request " + i);
        }
        assertFalse(limiter.admit(ip(1)));
        now.addAndGet(100_000_000L); // 0.1 s: one token at 10/s
        assertTrue(limiter.admit(ip(1)));
        assertFalse(limiter.admit(ip(1)));
    }

    @Test
    void sourcesAreLimitedApart() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(1, 1, 100, now::get);
        assertTrue(limiter.admit(ip(1)));
        assertFalse(limiter.admit(ip(1)));
        assertTrue(limiter.admit(ip(2)));
    }

    @Test
    void theBucketNeverHoldsMoreThanTheBurst() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(100, 3, 100, now::get);
        limiter.admit(ip(1));
        now.addAndGet(3_600_000_000_000L);
        int admitted = 0;
        while (limiter.admit(ip(1)) && admitted < 1000) {
            admitted++;
        }
        assertEquals(3, admitted);
    }

    @Test
    void memoryIsBoundedByForgettingTheLeastRecentSource() throws Exception {
        RequestRateLimiter limiter = new RequestRateLimiter(1, 1, 16, now::get);
        for (int i = 0; i < 200; i++) {
            limiter.admit(ip(i));
        }
        assertEquals(16, limiter.trackedSources());
    }

    @Test
    void aZeroRateOrBurstIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RequestRateLimiter(0, 1, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new RequestRateLimiter(1, 0, 1, now::get));
    }
}
