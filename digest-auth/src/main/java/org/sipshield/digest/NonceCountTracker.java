package org.sipshield.digest;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers, per nonce, the highest nc accepted, so a replayed or reordered nc is refused
 * (RFC 7616 section 3.4 / 5.5).
 *
 * <p>One tracker may serve several authenticators (realms, profiles): nonces are random, so they
 * never collide, and a server that rebuilds its authenticators on a configuration reload hands
 * the new ones the same tracker, so a reload never makes a used nc acceptable again.
 *
 * <p>Memory bound: at most {@code maxEntries} nonces (each ~250 bytes). When full, expired
 * entries are dropped first (at most one sweep per second), then the least recently used one.
 * An evicted nonce must never be accepted again from nc 1, so the tracker keeps a watermark:
 * the latest issue time among evicted nonces. A nonce it does not know that was issued at or
 * before the watermark is answered {@link Result#FORGOTTEN} (the caller rechallenges with
 * stale=true); one issued after it cannot have been seen before, so it is genuinely new.
 */
public final class NonceCountTracker {

    enum Result { ACCEPTED, REPLAY, FORGOTTEN }

    private static final long SWEEP_INTERVAL_MILLIS = 1_000;

    private static final class Entry {
        final long issuedAtMillis;
        final long expiresAtMillis;
        long highestNc;

        Entry(long issuedAtMillis, long expiresAtMillis, long nc) {
            this.issuedAtMillis = issuedAtMillis;
            this.expiresAtMillis = expiresAtMillis;
            this.highestNc = nc;
        }
    }

    private final int maxEntries;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long evictedWatermarkMillis = Long.MIN_VALUE;
    private long lastSweepMillis = Long.MIN_VALUE;

    /** maxEntries: see {@link DigestPolicy#DEFAULT_MAX_TRACKED_NONCES} for the memory it means. */
    public NonceCountTracker(int maxEntries) {
        if (maxEntries < 1 || maxEntries > DigestPolicy.MAX_MAX_TRACKED_NONCES) {
            throw new IllegalArgumentException("maxEntries must be 1.." + DigestPolicy.MAX_MAX_TRACKED_NONCES);
        }
        this.maxEntries = maxEntries;
    }

    /** validityMillis: how long the nonce's own policy accepts it (entries past it are swept first). */
    synchronized Result record(String nonce, long issuedAtMillis, long validityMillis, long nc, long nowMillis) {
        Entry e = entries.get(nonce);
        if (e != null) {
            if (nc <= e.highestNc) {
                return Result.REPLAY;
            }
            e.highestNc = nc;
            return Result.ACCEPTED;
        }
        if (issuedAtMillis <= evictedWatermarkMillis) {
            return Result.FORGOTTEN;
        }
        if (entries.size() >= maxEntries) {
            makeRoom(nowMillis);
        }
        entries.put(nonce, new Entry(issuedAtMillis, issuedAtMillis + validityMillis, nc));
        return Result.ACCEPTED;
    }

    /** How many nonces are tracked now (never above maxEntries). */
    public synchronized int size() {
        return entries.size();
    }

    private void makeRoom(long nowMillis) {
        if (nowMillis - lastSweepMillis >= SWEEP_INTERVAL_MILLIS || nowMillis < lastSweepMillis) {
            lastSweepMillis = nowMillis;
            // Expired nonces are refused before they reach the tracker, so dropping them costs
            // nothing; the watermark still moves so a clock stepping back cannot revive them.
            Iterator<Entry> sweep = entries.values().iterator();
            while (sweep.hasNext()) {
                Entry en = sweep.next();
                if (nowMillis > en.expiresAtMillis) {
                    evictedWatermarkMillis = Math.max(evictedWatermarkMillis, en.issuedAtMillis);
                    sweep.remove();
                }
            }
        }
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (entries.size() >= maxEntries && it.hasNext()) {
            Entry eldest = it.next().getValue();
            evictedWatermarkMillis = Math.max(evictedWatermarkMillis, eldest.issuedAtMillis);
            it.remove();
        }
    }
}
