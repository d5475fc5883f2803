package org.sipshield.digest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Counts failed digest attempts (only {@link DigestOutcome#countsAsFailedAttempt()}: a normal
 * client is always challenged once, which is not a failure) per (source address, user) and per
 * source address, and blocks past the limits for a cool-down. Blocking (source, user) spares the
 * other phones behind the same NAT address; blocking the source stops a scan over many users.
 *
 * <p>The counts and blocks live in {@link SharedCounters}: this process's ({@link LocalCounters},
 * bounded in memory) or a store the nodes of a cluster share, so that attempts spread over the
 * nodes add up. Thread-safe.
 */
public final class BruteForceGuard {

    /** The block list this guard's blocks belong to in the counters. */
    public static final String BLOCK_LIST = "digest";
    private static final int MAX_USER_KEY_CHARS = 128;

    // replaced by a reload (policy(...)); the counters and blocks stay
    private volatile BruteForcePolicy policy;
    private final Clock clock;
    private final SharedCounters counters;

    /** A guard whose counters live in this process. */
    public BruteForceGuard(BruteForcePolicy policy, Clock clock) {
        this(policy, clock, new LocalCounters(clock, policy.maxTrackedKeys(), new NonceCountTracker(1)));
    }

    public BruteForceGuard(BruteForcePolicy policy, Clock clock, SharedCounters counters) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.counters = Objects.requireNonNull(counters, "counters");
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
    public Optional<BlockAction> blocked(InetAddress source) {
        return counters.anyBlocked(BLOCK_LIST, List.of(sourceKey(source))) ? Optional.of(policy.action()) : Optional.empty();
    }

    /** Whether this source, or this user from this source, is blocked (one look-up for both). */
    public Optional<BlockAction> blocked(InetAddress source, String user) {
        return counters.anyBlocked(BLOCK_LIST, List.of(sourceKey(source), userKey(source, user)))
                ? Optional.of(policy.action()) : Optional.empty();
    }

    /**
     * Records one failed attempt. Returns the security event to log when this failure starts a
     * block (of the user from this source, or of the whole source).
     */
    public Optional<SecurityEvent> recordFailure(InetSocketAddress source, String user, String realm) {
        InetAddress address = source.getAddress();
        String userKey = userKey(address, user);
        String sourceKey = sourceKey(address);
        BruteForcePolicy limits = policy;
        long[] counts = counters.countFailures(List.of(userKey, sourceKey), limits.window());
        // >=: a limit lowered by a reload blocks at the next failure past it; two nodes reaching
        // it at once both set the same block (the counts restart from a block)
        boolean sourceBlocked = counts[1] >= limits.maxFailuresPerSource();
        boolean userBlocked = counts[0] >= limits.maxFailuresPerUser();
        Instant until = clock.instant().plus(limits.coolDown());
        if (sourceBlocked) {
            counters.block(BLOCK_LIST, sourceKey, until);
            if (userBlocked) {
                counters.block(BLOCK_LIST, userKey, until);
            }
            return Optional.of(new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_BLOCKED, source, user, realm,
                    "source-limit-" + reasonSuffix()));
        }
        if (userBlocked) {
            counters.block(BLOCK_LIST, userKey, until);
            return Optional.of(new SecurityEvent(SecurityEvent.Type.DIGEST_AUTH_BLOCKED, source, user, realm,
                    "user-limit-" + reasonSuffix()));
        }
        return Optional.empty();
    }

    /** A successful authentication clears that user's count from that source (not the source's). */
    public void recordSuccess(InetAddress source, String user) {
        counters.clearFailures(userKey(source, user));
    }

    private String reasonSuffix() {
        return policy.action() == BlockAction.DROP ? "drop" : "reject";
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
    public record Block(String source, String user, Instant until) {}

    /** The blocks in force now (the admin API lists them). */
    public List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        counters.blocks(BLOCK_LIST).forEach((key, until) -> {
            int separator = key.indexOf('\u0000');
            blocks.add(new Block(separator < 0 ? key : key.substring(0, separator),
                    separator < 0 ? null : key.substring(separator + 1), until));
        });
        return blocks;
    }

    /**
     * An operator lifts every block of a source, its users' included, and forgets its failures
     * counted so far (else its next mistake blocks it again at once). True when there was a block.
     */
    public boolean unblock(InetAddress source) {
        return counters.unblock(BLOCK_LIST, sourceKey(source), true);
    }

    int trackedCounters() {
        return ((LocalCounters) counters).trackedCounters();
    }

    int trackedBlocks() {
        return ((LocalCounters) counters).trackedBlocks(BLOCK_LIST);
    }

    @Override
    public String toString() {
        return "BruteForceGuard[" + policy + ", " + counters.getClass().getSimpleName() + "]";
    }
}
