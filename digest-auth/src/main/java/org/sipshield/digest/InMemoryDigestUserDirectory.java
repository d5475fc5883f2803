package org.sipshield.digest;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable directory built once from configuration (rebuild it on reload), with a userhash
 * index precomputed for every realm and algorithm family.
 */
public final class InMemoryDigestUserDirectory implements DigestUserDirectory {

    private final Map<String, DigestUser> byName;
    private final Map<String, DigestUser> byUserhash;

    private InMemoryDigestUserDirectory(Map<String, DigestUser> byName, Map<String, DigestUser> byUserhash) {
        this.byName = Map.copyOf(byName);
        this.byUserhash = Map.copyOf(byUserhash);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<DigestUser> findByUsername(String realm, String username) {
        return Optional.ofNullable(byName.get(key(realm, username)));
    }

    @Override
    public Optional<DigestUser> findByUserhash(String realm, DigestAlgorithm algorithm, String userhashHex) {
        return Optional.ofNullable(byUserhash.get(
                algorithm.baseAlgorithm().token() + "\u0000" + key(realm, userhashHex.toLowerCase(Locale.ROOT))));
    }

    private static String key(String realm, String name) {
        return realm + "\u0000" + name;
    }

    @Override
    public String toString() {
        return "InMemoryDigestUserDirectory[" + byName.size() + " users]";
    }

    public static final class Builder {
        private final Map<String, DigestUser> byName = new HashMap<>();
        private final Map<String, DigestUser> byUserhash = new HashMap<>();
        private boolean indexUserhash = true;

        private Builder() {
        }

        /**
         * No userhash index: for servers that never offer userhash (RFC 7616), where the index would
         * cost three hashes and three entries per user for nothing (a site of 100,000 users).
         */
        public Builder withoutUserhashIndex() {
            this.indexUserhash = false;
            return this;
        }

        public Builder add(String realm, String username, List<DigestChecksum> checksums) {
            DigestUser user = new DigestUser(username, checksums);
            if (byName.putIfAbsent(key(realm, username), user) != null) {
                throw new IllegalArgumentException("user listed twice in one realm");
            }
            for (DigestAlgorithm base : indexUserhash ? List.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256, DigestAlgorithm.SHA_512_256)
                    : List.<DigestAlgorithm>of()) {
                byUserhash.put(base.token() + "\u0000" + key(realm, DigestResponses.userhash(base, username, realm)), user);
            }
            return this;
        }

        public InMemoryDigestUserDirectory build() {
            return new InMemoryDigestUserDirectory(byName, byUserhash);
        }
    }
}
