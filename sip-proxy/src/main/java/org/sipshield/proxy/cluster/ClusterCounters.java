package org.sipshield.proxy.cluster;

import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.sipshield.config.RedisSettings;
import org.sipshield.digest.LocalCounters;
import org.sipshield.digest.SharedCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counters of a node in a cluster: Redis while it answers; while it does not, what
 * {@code redis.unavailable} says: LOCAL_ONLY counts in this node's memory (each node alone),
 * FAIL_CLOSED throws {@link SharedCounters.Unavailable} (the digest step then refuses challenge
 * answers). A failed call marks Redis unavailable at once, so later requests do not each wait for
 * a timeout; a probe thread pings it every second and marks it available again. Each change is
 * logged once at WARN, shown by readiness and counted in metrics.
 *
 * <p>Under LOCAL_ONLY the blocks Redis held when it went away still hold: an attacker must not
 * escape a block by knocking Redis over. The node keeps a copy of every shared block list it has
 * used ({@link SharedBlocksCopy}), refreshed by each probe that reaches Redis and by this node's own
 * blocks and lifts, and consults it beside its own counters while Redis is down.
 */
public final class ClusterCounters implements SharedCounters, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCounters.class);
    private static final long PROBE_MILLIS = 1_000;

    private final RedisSettings settings;
    private final LocalCounters local;
    private final ScheduledExecutorService probe;
    private final AtomicLong outages = new AtomicLong();
    private final List<Runnable> whileAvailable = new CopyOnWriteArrayList<>();
    private final SharedBlocksCopy lastSeen = new SharedBlocksCopy();
    private volatile RedisCounters redis;
    private volatile boolean available;
    /** Why Redis was last found unavailable (no credentials: exception class and Lettuce's message). */
    private volatile String lastProblem = "not connected yet";

    private ClusterCounters(RedisSettings settings, LocalCounters local) {
        this.settings = settings;
        this.local = local;
        this.probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sipshield-redis-probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects if it can; a node also starts while Redis is down (under the unavailable rule until
     * the probe reaches it). A password file that cannot be read is a start error.
     */
    public static ClusterCounters start(RedisSettings settings, LocalCounters local) throws IOException {
        ClusterCounters counters = new ClusterCounters(settings, local);
        try {
            counters.redis = RedisCounters.connect(settings);
            counters.available = true;
            LOG.info("counters shared in redis {}", settings.url());
        } catch (RedisException e) {
            counters.down(e);
        }
        counters.probe.scheduleWithFixedDelay(counters::probe, PROBE_MILLIS, PROBE_MILLIS, TimeUnit.MILLISECONDS);
        return counters;
    }

    /** Gauge {@code sipshield_redis_available} (1/0) and counter {@code sipshield_redis_outages_total}. */
    public void register(MeterRegistry registry) {
        Gauge.builder("sipshield.redis.available", () -> available ? 1 : 0)
                .description("1 while the shared counters are in Redis, 0 while redis.unavailable applies")
                .register(registry);
        FunctionCounter.builder("sipshield.redis.outages", outages, AtomicLong::get)
                .description("times Redis was found unavailable").register(registry);
    }

    /**
     * Runs after every probe that found Redis available (a node's refresh of what other nodes
     * changed); the task reads Redis through {@link #sharedBlocks}, never this node's fallback.
     */
    public void whileAvailable(Runnable task) {
        whileAvailable.add(task);
    }

    /** The blocks of a list as Redis holds them; throws (never falls back) when it does not answer. */
    public Map<String, Instant> sharedBlocks(String list) {
        RedisCounters shared = redis;
        if (shared == null) {
            throw new SharedCounters.Unavailable("redis not connected");
        }
        return shared.blocks(list);
    }

    public boolean available() {
        return available;
    }

    /** Null while Redis answers; else what readiness shows: the problem and the rule applied. */
    public String unavailableBecause() {
        return available ? null : "redis unavailable (" + lastProblem + "): " + settings.unavailable()
                + (settings.unavailable() == RedisSettings.Unavailable.LOCAL_ONLY
                        ? ", each node counts alone" : ", challenge answers refused");
    }

    public RedisSettings.Unavailable rule() {
        return settings.unavailable();
    }

    private <T> T call(Function<SharedCounters, T> operation) {
        RedisCounters shared = redis;
        if (available && shared != null) {
            try {
                return operation.apply(shared);
            } catch (RedisException e) {
                down(e);
            }
        }
        if (settings.unavailable() == RedisSettings.Unavailable.FAIL_CLOSED) {
            throw new SharedCounters.Unavailable("redis unavailable");
        }
        return operation.apply(local);
    }

    private synchronized void down(RuntimeException cause) {
        lastProblem = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (available || outages.get() == 0) {
            available = false;
            outages.incrementAndGet();
            LOG.warn("{}", unavailableBecause());
        }
    }

    private void probe() {
        try {
            RedisCounters shared = redis;
            if (shared == null) {
                shared = RedisCounters.connect(settings);
                redis = shared;
            }
            shared.ping();
            synchronized (this) {
                if (!available) {
                    available = true;
                    LOG.warn("redis {} available again: counters shared", settings.url());
                }
            }
            lastSeen.refresh(shared);
            for (Runnable task : whileAvailable) {
                task.run();
            }
        } catch (RedisException e) {
            down(e);
        } catch (IOException | SharedCounters.Unavailable e) {
            LOG.warn("redis probe: {}", e.toString());
        }
    }

    @Override
    public long[] countFailures(List<String> keys, Duration window) {
        return call(counters -> counters.countFailures(keys, window));
    }

    @Override
    public void clearFailures(String key) {
        call(counters -> {
            counters.clearFailures(key);
            return null;
        });
    }

    @Override
    public NonceUse useNonceCount(String nonce, long nc, long issuedAtMillis, long expiresAtMillis, long nowMillis) {
        return call(counters -> counters.useNonceCount(nonce, nc, issuedAtMillis, expiresAtMillis, nowMillis));
    }

    @Override
    public boolean anyBlocked(String list, List<String> keys) {
        lastSeen.follow(list);
        return call(counters -> counters.anyBlocked(list, keys)
                || counters == local && lastSeen.anyBlocked(list, keys));
    }

    @Override
    public void block(String list, String key, Instant until) {
        lastSeen.follow(list);
        call(counters -> {
            counters.block(list, key, until);
            if (counters != local) {
                lastSeen.blocked(list, key, until); // held through an outage that starts before the next refresh
            }
            return null;
        });
    }

    @Override
    public boolean unblock(String list, String key, boolean withSubKeys) {
        // a lift applies to the copy too, Redis up or not: an operator's unblock during an outage holds
        boolean fromCopy = lastSeen.unblock(list, key, withSubKeys);
        return call(counters -> counters.unblock(list, key, withSubKeys)) || fromCopy;
    }

    @Override
    public Map<String, Instant> blocks(String list) {
        lastSeen.follow(list);
        return call(counters -> {
            if (counters != local) {
                return counters.blocks(list);
            }
            Map<String, Instant> inForce = new java.util.LinkedHashMap<>(lastSeen.blocks(list));
            inForce.putAll(counters.blocks(list));
            return inForce;
        });
    }

    @Override
    public void close() {
        probe.shutdownNow();
        RedisCounters shared = redis;
        if (shared != null) {
            shared.close();
        }
    }
}
