package org.sipshield.proxy.screening;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A token bucket per source address: a source may send {@code burst} requests at once and
 * {@code perSecond} a second after that. The buckets live in a map of bounded size that forgets
 * the least recently heard source first, so a flood from many addresses costs bounded memory
 * (a forgotten source starts again with a full bucket). One security event when a source starts
 * being limited, and one when it has calmed down (its bucket is full again), never one per packet.
 */
public final class RequestRateLimiter {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    // changed only under the buckets' lock (retune), read under it too
    private double perSecond;
    private double burst;
    private int maxSources;
    private final LongSupplier nanoTime;
    private final Map<InetAddress, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long updated;
        long refused;
    }

    public RequestRateLimiter(int perSecond, int burst, int maxSources, LongSupplier nanoTime) {
        if (perSecond < 1 || burst < 1 || maxSources < 1) {
            throw new IllegalArgumentException("rate, burst and tracked sources must be at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxSources = maxSources;
        this.nanoTime = nanoTime;
        this.buckets = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
                return size() > RequestRateLimiter.this.maxSources;
            }
        };
    }

    /**
     * New rate, burst and number of tracked sources (a reload). Each source keeps its bucket, its
     * tokens capped at the new burst; past the new number of sources the least recent are forgotten
     * as the next ones arrive.
     */
    public void retune(int perSecond, int burst, int maxSources) {
        if (perSecond < 1 || burst < 1 || maxSources < 1) {
            throw new IllegalArgumentException("rate, burst and tracked sources must be at least 1");
        }
        synchronized (buckets) {
            this.perSecond = perSecond;
            this.burst = burst;
            this.maxSources = maxSources;
            buckets.values().forEach(bucket -> bucket.tokens = Math.min(bucket.tokens, burst));
        }
    }

    /** True when a request from this source may go on; takes a token if so. */
    public boolean admit(InetAddress source) {
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket bucket = buckets.get(source);
            if (bucket == null) {
                bucket = new Bucket();
                bucket.tokens = burst;
                bucket.updated = now;
                buckets.put(source, bucket);
            }
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * perSecond / 1e9);
            bucket.updated = now;
            if (bucket.refused > 0 && bucket.tokens >= burst) {
                SECURITY.warn("SECURITY request-rate-limit-ended src={} refused={}", source.getHostAddress(), bucket.refused);
                bucket.refused = 0;
            }
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return true;
            }
            if (bucket.refused++ == 0) {
                SECURITY.warn("SECURITY request-rate-limited src={} limit={}/s burst={}", source.getHostAddress(),
                        (long) perSecond, (long) burst);
            }
            return false;
        }
    }

    /** Whole seconds until the source has a token again, at least 1: the Retry-After of a 503. */
    public int secondsUntilAdmitted() {
        synchronized (buckets) {
            return (int) Math.max(1, Math.ceil(1 / perSecond));
        }
    }

    int trackedSources() {
        synchronized (buckets) {
            return buckets.size();
        }
    }
}
