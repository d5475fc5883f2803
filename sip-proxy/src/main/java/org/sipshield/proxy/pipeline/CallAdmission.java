package org.sipshield.proxy.pipeline;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.sipshield.config.CallLimits;
import org.sipshield.proxy.security.Peer;

/**
 * The admission counts of every trunk and phone: calls up at once in each direction and a token
 * bucket of new calls. A concurrent slot is taken atomically when a call is admitted and given back
 * by its {@link Lease} when the call ends (CallTermination.end), so two INVITEs racing on two stack
 * threads cannot both take the last slot. Counts are keyed by the peer's name, not by the model, so
 * they survive a reload; a limit lowered by a reload applies to the next call.
 */
public final class CallAdmission {
    /** Which limit refused a call; its label is what the SECURITY line names. */
    public enum Limit {
        CONCURRENT_IN("concurrent-in"), CONCURRENT_OUT("concurrent-out"), CALLS_PER_SECOND("calls-per-second");

        private final String label;

        Limit(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A slot held by one call; release is idempotent, so every way a call can end may call it. */
    public static final class Lease {
        private final AtomicInteger counter;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(AtomicInteger counter) {
            this.counter = counter;
        }

        public void release() {
            if (counter != null && released.compareAndSet(false, true)) {
                counter.decrementAndGet();
            }
        }
    }

    /** The answer to one admission: a lease, or the limit that refused it. */
    public record Decision(Lease lease, Limit refusedBy) {
        public boolean admitted() {
            return refusedBy == null;
        }
    }

    private static final Lease UNCOUNTED = new Lease(null);

    private final LongSupplier nanoTime;
    private final Map<String, AtomicInteger> inbound = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> outbound = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> rates = new ConcurrentHashMap<>();

    public CallAdmission(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** A new call from this peer: its rate first (a refused attempt still spends no slot), then its slot. */
    public Decision admitFrom(Peer peer) {
        CallLimits limits = limitsOf(peer);
        String key = keyOf(peer);
        if (key == null) {
            return new Decision(UNCOUNTED, null);
        }
        if (limits.callsPerSecond() > 0) {
            TokenBucket bucket = rates.computeIfAbsent(key, k -> new TokenBucket(nanoTime.getAsLong()));
            if (!bucket.take(limits.callsPerSecond(), limits.callBurst(), nanoTime.getAsLong())) {
                return new Decision(null, Limit.CALLS_PER_SECOND);
            }
        }
        return take(inbound, key, limits.maxConcurrentCallsIn(), Limit.CONCURRENT_IN);
    }

    /** A new call towards this peer. */
    public Decision admitTowards(Peer peer) {
        String key = keyOf(peer);
        if (key == null) {
            return new Decision(UNCOUNTED, null);
        }
        return take(outbound, key, limitsOf(peer).maxConcurrentCallsOut(), Limit.CONCURRENT_OUT);
    }

    /** Calls up at once from (inbound) or to this peer; what the tests and metrics read. */
    public int concurrent(Peer peer, boolean in) {
        AtomicInteger count = (in ? inbound : outbound).get(keyOf(peer));
        return count == null ? 0 : count.get();
    }

    private static Decision take(Map<String, AtomicInteger> counts, String key, int limit, Limit refusal) {
        AtomicInteger count = counts.computeIfAbsent(key, k -> new AtomicInteger());
        while (true) {
            int now = count.get();
            if (limit > 0 && now >= limit) {
                return new Decision(null, refusal);
            }
            if (count.compareAndSet(now, now + 1)) {
                return new Decision(new Lease(count), null);
            }
        }
    }

    /** A trunk's own limits, a device's profile's; nobody else has any. */
    public static CallLimits limitsOf(Peer peer) {
        if (peer instanceof Peer.Trunk trunk) {
            return trunk.trunk().limits();
        }
        if (peer instanceof Peer.Device device) {
            return device.profile().limits();
        }
        return CallLimits.NONE;
    }

    /** One count per trunk and per device (a profile's limits apply to each phone on its own). */
    private static String keyOf(Peer peer) {
        if (peer instanceof Peer.Trunk trunk) {
            return "trunk:" + trunk.trunk().name();
        }
        if (peer instanceof Peer.Device device) {
            return "device:" + device.device().deviceName();
        }
        return null;
    }

    /** RequestRateLimiter's bucket, per peer instead of per source address; rate and burst read per call so a reload applies. */
    static final class TokenBucket {
        private double tokens = -1;
        private long updated;

        TokenBucket(long now) {
            this.updated = now;
        }

        synchronized boolean take(int perSecond, int burst, long now) {
            tokens = tokens < 0 ? burst : Math.min(burst, tokens + (now - updated) * (double) perSecond / 1e9);
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
