package org.sipshield.digest;

import java.time.Duration;

/**
 * Limits on failed digest attempts. A limit is reached when {@code max...} failures fall in one
 * window (a fixed window starting at the first failure, so at most twice the limit can straddle
 * a window boundary); the key is then blocked for the cool-down.
 */
public final class BruteForcePolicy {

    public static final int DEFAULT_MAX_FAILURES_PER_USER = 5;
    public static final int DEFAULT_MAX_FAILURES_PER_SOURCE = 20;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofMinutes(5);
    /** ~200 bytes per tracked key: at most ~20 MB of counters plus as many blocks. */
    public static final int DEFAULT_MAX_TRACKED_KEYS = 100_000;

    private final int maxFailuresPerUser;
    private final int maxFailuresPerSource;
    private final Duration window;
    private final Duration coolDown;
    private final BlockAction action;
    private final int maxTrackedKeys;

    private BruteForcePolicy(Builder b) {
        if (b.maxFailuresPerUser < 1 || b.maxFailuresPerSource < 1) {
            throw new IllegalArgumentException("failure limits must be at least 1");
        }
        if (b.window.isNegative() || b.window.isZero() || b.coolDown.isNegative() || b.coolDown.isZero()) {
            throw new IllegalArgumentException("window and cool-down must be positive");
        }
        if (b.maxTrackedKeys < 16 || b.maxTrackedKeys > 10_000_000) {
            throw new IllegalArgumentException("maxTrackedKeys must be 16..10000000");
        }
        if (b.action == null) {
            throw new IllegalArgumentException("block action is required");
        }
        this.maxFailuresPerUser = b.maxFailuresPerUser;
        this.maxFailuresPerSource = b.maxFailuresPerSource;
        this.window = b.window;
        this.coolDown = b.coolDown;
        this.action = b.action;
        this.maxTrackedKeys = b.maxTrackedKeys;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxFailuresPerUser() {
        return maxFailuresPerUser;
    }

    public int maxFailuresPerSource() {
        return maxFailuresPerSource;
    }

    public Duration window() {
        return window;
    }

    public Duration coolDown() {
        return coolDown;
    }

    public BlockAction action() {
        return action;
    }

    public int maxTrackedKeys() {
        return maxTrackedKeys;
    }

    @Override
    public String toString() {
        return "BruteForcePolicy[perUser=" + maxFailuresPerUser + ", perSource=" + maxFailuresPerSource + ", window="
                + window + ", coolDown=" + coolDown + ", action=" + action + ", maxTrackedKeys=" + maxTrackedKeys + "]";
    }

    public static final class Builder {
        private int maxFailuresPerUser = DEFAULT_MAX_FAILURES_PER_USER;
        private int maxFailuresPerSource = DEFAULT_MAX_FAILURES_PER_SOURCE;
        private Duration window = DEFAULT_WINDOW;
        private Duration coolDown = DEFAULT_COOL_DOWN;
        private BlockAction action = BlockAction.REJECT_403;
        private int maxTrackedKeys = DEFAULT_MAX_TRACKED_KEYS;

        private Builder() {
        }

        /** Failures allowed per (source address, user) in one window. */
        public Builder maxFailuresPerUser(int max) {
            this.maxFailuresPerUser = max;
            return this;
        }

        /** Failures allowed per source address, all users together, in one window. */
        public Builder maxFailuresPerSource(int max) {
            this.maxFailuresPerSource = max;
            return this;
        }

        public Builder window(Duration window) {
            this.window = window;
            return this;
        }

        public Builder coolDown(Duration coolDown) {
            this.coolDown = coolDown;
            return this;
        }

        public Builder action(BlockAction action) {
            this.action = action;
            return this;
        }

        public Builder maxTrackedKeys(int max) {
            this.maxTrackedKeys = max;
            return this;
        }

        public BruteForcePolicy build() {
            return new BruteForcePolicy(this);
        }
    }
}
