package org.sipshield.digest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link SharedCounters} in this process: what one server needs, and what a cluster's node falls
 * back to when it chose to count alone while the shared store is down.
 *
 * <p>Memory bound: at most {@code maxTrackedKeys} failure counters (LRU) and as many blocks per
 * list; nonces as {@link NonceCountTracker} bounds them. Evicting a counter forgets failures (never
 * blocks anyone); blocks live in maps of their own so a flood of new counters cannot evict them,
 * and a full block map drops its eldest block (with one cool-down for all, the one ending first).
 * Thread-safe.
 */
public final class LocalCounters implements SharedCounters {

    private static final class Counter {
        long windowStartMillis;
        long failures;
    }

    private final Clock clock;
    private final int maxTrackedKeys;
    private final LinkedHashMap<String, Counter> counters;
    private final Map<String, LinkedHashMap<String, Long>> blocks = new HashMap<>();
    private final NonceCountTracker nonces;

    public LocalCounters(Clock clock, int maxTrackedKeys, NonceCountTracker nonces) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.maxTrackedKeys = maxTrackedKeys;
        this.counters = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
                return size() > maxTrackedKeys;
            }
        };
    }

    /** Counters for one server with the default bounds. */
    public static LocalCounters withDefaults(Clock clock) {
        return new LocalCounters(clock, BruteForcePolicy.DEFAULT_MAX_TRACKED_KEYS,
                new NonceCountTracker(DigestPolicy.DEFAULT_MAX_TRACKED_NONCES));
    }

    @Override
    public synchronized long[] countFailures(List<String> keys, Duration window) {
        long now = clock.millis();
        long[] counts = new long[keys.size()];
        for (int i = 0; i < counts.length; i++) {
            Counter c = counters.get(keys.get(i));
            if (c == null || now - c.windowStartMillis >= window.toMillis() || now < c.windowStartMillis) {
                c = new Counter();
                c.windowStartMillis = now;
                counters.put(keys.get(i), c);
            }
            counts[i] = ++c.failures;
        }
        return counts;
    }

    @Override
    public synchronized void clearFailures(String key) {
        counters.remove(key);
    }

    @Override
    public NonceUse useNonceCount(String nonce, long nc, long issuedAtMillis, long expiresAtMillis, long nowMillis) {
        return switch (nonces.record(nonce, issuedAtMillis, expiresAtMillis - issuedAtMillis, nc, nowMillis)) {
            case ACCEPTED -> NonceUse.FIRST;
            case REPLAY -> NonceUse.REPLAY;
            case FORGOTTEN -> NonceUse.FORGOTTEN;
        };
    }

    @Override
    public synchronized boolean anyBlocked(String list, List<String> keys) {
        LinkedHashMap<String, Long> map = blocks.get(list);
        if (map == null) {
            return false;
        }
        long now = clock.millis();
        boolean blocked = false;
        for (String key : keys) {
            Long until = map.get(key);
            if (until != null && now >= until) {
                map.remove(key);
            } else if (until != null) {
                blocked = true;
            }
        }
        return blocked;
    }

    @Override
    public synchronized void block(String list, String key, Instant until) {
        counters.remove(key);
        LinkedHashMap<String, Long> map = blocks.computeIfAbsent(list, name -> new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > maxTrackedKeys;
            }
        });
        map.remove(key);
        map.put(key, until.toEpochMilli());
    }

    @Override
    public synchronized boolean unblock(String list, String key, boolean withSubKeys) {
        String prefix = key + "\u0000";
        counters.keySet().removeIf(k -> k.equals(key) || withSubKeys && k.startsWith(prefix));
        LinkedHashMap<String, Long> map = blocks.get(list);
        return map != null && map.keySet().removeIf(k -> k.equals(key) || withSubKeys && k.startsWith(prefix));
    }

    @Override
    public synchronized Map<String, Instant> blocks(String list) {
        Map<String, Instant> inForce = new LinkedHashMap<>();
        long now = clock.millis();
        blocks.getOrDefault(list, new LinkedHashMap<>()).forEach((key, until) -> {
            if (until > now) {
                inForce.put(key, Instant.ofEpochMilli(until));
            }
        });
        return inForce;
    }

    synchronized int trackedCounters() {
        return counters.size();
    }

    synchronized int trackedBlocks(String list) {
        return blocks.getOrDefault(list, new LinkedHashMap<>()).size();
    }

    /** How many nonces the replay state holds now (never above its bound). */
    public int trackedNonces() {
        return nonces.size();
    }
}
