package org.sipshield.digest;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A user known to one realm, with its stored checksums (one per algorithm family). */
public final class DigestUser {

    private final String username;
    private final Map<DigestAlgorithm, DigestChecksum> checksums;

    public DigestUser(String username, List<DigestChecksum> checksums) {
        if (username == null || username.isEmpty()) {
            throw new IllegalArgumentException("username is required");
        }
        this.username = username;
        Map<DigestAlgorithm, DigestChecksum> byAlg = new EnumMap<>(DigestAlgorithm.class);
        for (DigestChecksum c : checksums) {
            if (byAlg.put(c.algorithm(), c) != null) {
                throw new IllegalArgumentException("two checksums for " + c.algorithm().token());
            }
        }
        this.checksums = Map.copyOf(byAlg);
    }

    public String username() {
        return username;
    }

    /** The checksum for the family of {@code algorithm} (SHA-256-sess uses the SHA-256 one). */
    public Optional<DigestChecksum> checksum(DigestAlgorithm algorithm) {
        return Optional.ofNullable(checksums.get(algorithm.baseAlgorithm()));
    }

    @Override
    public String toString() {
        return "DigestUser[" + username + ", checksums for " + checksums.keySet() + "]";
    }
}
