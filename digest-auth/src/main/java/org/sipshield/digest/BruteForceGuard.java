package org.sipshield.digest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts failed digest attempts (only {@link DigestOutcome#countsAsFailedAttempt()}: a normal
 * client is always challenged once, which is not a failure) per (source address, user) and per
 * source address, and blocks past the limits for a cool-down. Blocking (source, user) spares the
 * other phones behind the same NAT address; blocking the source stops a scan over many users.
 *
 * <p>Memory bound: at most {@code maxTrackedKeys} counters and as many blocks, each in an LRU
 * map. Evicting a counter forgets failures (never blocks anyone); blocks live in their own map so a
 * flood of new counters cannot evict them, and when that map is full the block nearest to its end
 * goes first. Thread-safe.
 */
public final class BruteForceGuard {

    private static final int MAX_USER_KEY_CHARS = 128;

    private static final class Counter {
        long windowStartMillis;
        int failures;
    }

    // replaced by a reload (policy(...)); the counters and blocks stay
    private volatile BruteForcePolicy policy;
    private final Clock clock;
    private final LinkedHashMap<String, Counter> counters;
    private final LinkedHashMap<String, Long> blockedUntil;

    public BruteForceGuard(BruteForcePolicy policy, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.counters = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
                return size() > BruteForceGuard.this.policy.maxTrackedKeys();
            }
        };
        // Insertion order with one cool-down for all: the eldest block is the one ending first.
        this.blockedUntil = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > BruteForceGuard.this.policy.maxTrackedKeys();
            }
        };
    }

    public BruteForcePolicy policy() {
        return policy;
    }

    /**
     * Puts a new policy in force (a configuration reload): the next failure is counted against its
     * limits and window, and a new block lasts its cool-down; failures counted and blocks made
     * under the old one stay as they were.
     */
    public void policy(BruteForcePolicy next) {
        policy = Objects.requireNonNull(next, "policy");
    }

    /** Whether the whole source is blocked, and what to do with its requests. Check before parsing. */
    public synchronized Optional<BlockAction> blocked(InetAddress source) {
        return isBlocked(sourceKey(source)) ? Optional.of(policy.action()) : Optional.empty();
    }

    /** Whether this source, or this user from this source, is blocked. */
    public synchronized Optional<BlockAction> blocked(InetAddress source, String user) {
        return isBlocked(sourceKey(source)) || isBlocked(userKey(source, user))
                ? Optional.of(policy.action()) : Optional.empty();
    }

    /**
     * Records one failed attempt. Returns the security event to log when this failure starts a
     * block (of the user from this source, or of the whole source).
     */
    public synchronized Optional<SecurityEvent> recordFailure(InetSocketAddress source, String user, String realm) {
        InetAddress address = source.getAddress();
        long now = clock.millis();
        boolean userBlocked = count(userKey(address, user), policy.maxFailuresPerUser(), now);
        boolean sourceBlocked = count(sourceKey(address), policy.maxFailuresPerSource(), now);
        if (sourceBlocked) {
            return Optional.of(new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_BLOCKED, source, user, realm,
                    "source-limit-" + reasonSuffix()));
        }
        if (userBlocked) {
            return Optional.of(new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_BLOCKED, source, user, realm,
                    "user-limit-" + reasonSuffix()));
        }
        return Optional.empty();
    }

    /** A successful authentication clears that user's count from that source (not the source's). */
    public synchronized void recordSuccess(InetAddress source, String user) {
        counters.remove(userKey(source, user));
    }

    private String reasonSuffix() {
        return policy.action() == BlockAction.DROP ? "drop" : "reject";
    }

    /** Counts a failure; true when it is the one that reaches the limit and starts a block. */
    private boolean count(String key, int limit, long now) {
        Counter c = counters.get(key);
        if (c == null || now - c.windowStartMillis >= policy.window().toMillis() || now < c.windowStartMillis) {
            c = new Counter();
            c.windowStartMillis = now;
            counters.put(key, c);
        }
        c.failures++;
        if (c.failures >= limit) {
            counters.remove(key);
            blockedUntil.remove(key);
            blockedUntil.put(key, now + policy.coolDown().toMillis());
            return true;
        }
        return false;
    }

    private boolean isBlocked(String key) {
        Long until = blockedUntil.get(key);
        if (until == null) {
            return false;
        }
        if (clock.millis() >= until) {
            blockedUntil.remove(key);
            return false;
        }
        return true;
    }

    private static String sourceKey(InetAddress source) {
        return Objects.requireNonNull(source, "source").getHostAddress();
    }

    private static String userKey(InetAddress source, String user) {
        String u = user == null ? "" : user;
        if (u.length() > MAX_USER_KEY_CHARS) {
            u = u.substring(0, MAX_USER_KEY_CHARS);
        }
        return sourceKey(source) + "\u0000" + u;
    }

    /** One block in force: a whole source (user null) or one user from it, until when. */
    public record Block(String source, String user, java.time.Instant until) {}

    /** The blocks in force now (the admin API lists them). */
    public synchronized java.util.List<Block> blocks() {
        long now = clock.millis();
        java.util.List<Block> blocks = new java.util.ArrayList<>();
        for (Map.Entry<String, Long> entry : blockedUntil.entrySet()) {
            if (entry.getValue() > now) {
                int separator = entry.getKey().indexOf('\u0000');
                blocks.add(new Block(separator < 0 ? entry.getKey() : entry.getKey().substring(0, separator),
                        separator < 0 ? null : entry.getKey().substring(separator + 1),
                        java.time.Instant.ofEpochMilli(entry.getValue())));
            }
        }
        return blocks;
    }

    /**
     * An operator lifts every block of a source, its users' included, and forgets its failures
     * counted so far (else its next mistake blocks it again at once). True when there was a block.
     */
    public synchronized boolean unblock(InetAddress source) {
        String key = sourceKey(source);
        String userPrefix = key + "\u0000";
        counters.keySet().removeIf(k -> k.equals(key) || k.startsWith(userPrefix));
        int before = blockedUntil.size();
        blockedUntil.keySet().removeIf(k -> k.equals(key) || k.startsWith(userPrefix));
        return blockedUntil.size() != before;
    }

    synchronized int trackedCounters() {
        return counters.size();
    }

    synchronized int trackedBlocks() {
        return blockedUntil.size();
    }

    @Override
    public synchronized String toString() {
        return "BruteForceGuard[" + policy + ", counters=" + counters.size() + ", blocks=" + blockedUntil.size() + "]";
    }
}
