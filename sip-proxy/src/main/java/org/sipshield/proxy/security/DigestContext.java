package org.sipshield.proxy.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import org.sipshield.digest.NonceCountTracker;
import org.sipshield.digest.NonceSecret;

/**
 * What digest authentication needs beyond the configuration, and what must outlive a reload: the
 * nonce signing key, the nonce-count replay state, the clock. Each {@link SecurityModel} builds
 * its authenticators over the same context, so a nonce issued before a reload is still checked
 * for replay after it.
 */
public record DigestContext(NonceSecret secret, NonceCountTracker nonceCounts, Clock clock, SecureRandom random) {
    public DigestContext {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(nonceCounts, "nonceCounts");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
    }
}
