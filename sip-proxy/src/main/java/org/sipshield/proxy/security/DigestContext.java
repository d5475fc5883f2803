package org.sipshield.proxy.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import org.sipshield.digest.NonceSecret;
import org.sipshield.digest.SharedCounters;

/**
 * What digest authentication needs beyond the configuration, and what must outlive a reload: the
 * nonce signing key, the nonce-count replay state (in the counters: this node's memory, or Redis
 * shared by a cluster), the clock. Each {@link SecurityModel} builds its authenticators over the
 * same context, so a nonce issued before a reload is still checked for replay after it.
 */
public record DigestContext(NonceSecret secret, SharedCounters nonceCounts, Clock clock, SecureRandom random) {
    public DigestContext {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(nonceCounts, "nonceCounts");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
    }
}
