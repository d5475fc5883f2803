package org.sipshield.srtp;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Makes fresh SRTP master keys: every call leg and every direction gets its own key and salt from
 * a {@link SecureRandom}; nothing is cached or derived from another leg, so keys are never shared
 * between legs or calls. Thread-safe.
 */
public final class SrtpKeyManager {
    private final SecureRandom random;

    public SrtpKeyManager() {
        this(new SecureRandom());
    }

    public SrtpKeyManager(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A new master key and salt for one leg in one direction. */
    public SrtpMasterKey newMasterKey(CryptoSuite suite) {
        byte[] key = new byte[suite.masterKeyLength()];
        byte[] salt = new byte[suite.masterSaltLength()];
        try {
            random.nextBytes(key);
            random.nextBytes(salt);
            return SrtpMasterKey.of(suite, key, salt);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
            java.util.Arrays.fill(salt, (byte) 0);
        }
    }
}
