package org.sipshield.digest;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import java.util.Arrays;

/**
 * The reference's "SIP Realm": the user and password we answer a trunk peer's challenge with,
 * for one realm. The password stays a char array and never appears in toString().
 */
public final class SipRealmCredentials {

    private final String realm;
    private final String user;
    private final char[] password;
    private final Map<DigestAlgorithm, DigestChecksum> checksums;

    /**
     * Credentials held as stored checksums (HA1 per algorithm, for this realm) instead of a
     * password: enough to answer any challenge of those algorithms, and nothing to leak at rest.
     */
    public static SipRealmCredentials fromChecksums(String realm, String user, List<DigestChecksum> checksums) {
        if (checksums == null || checksums.isEmpty()) {
            throw new IllegalArgumentException("at least one checksum is required");
        }
        return new SipRealmCredentials(realm, user, new char[0], checksums);
    }

    public SipRealmCredentials(String realm, String user, char[] password) {
        this(realm, user, password, List.of());
    }

    private SipRealmCredentials(String realm, String user, char[] password, List<DigestChecksum> checksums) {
        this.realm = DigestParams.requireHeaderSafe("realm", realm);
        this.user = DigestParams.requireHeaderSafe("user", user);
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
        if (password == null) {
            throw new IllegalArgumentException("password is required");
        }
        this.password = password.clone();
        Map<DigestAlgorithm, DigestChecksum> byAlgorithm = new EnumMap<>(DigestAlgorithm.class);
        for (DigestChecksum checksum : checksums) {
            byAlgorithm.put(checksum.algorithm(), checksum);
        }
        this.checksums = Map.copyOf(byAlgorithm);
    }

    /** The HA1 to answer a challenge of this algorithm with, if these credentials can. */
    Optional<DigestChecksum> checksum(DigestAlgorithm algorithm, String challengeRealm) {
        if (checksums.isEmpty()) {
            return Optional.of(DigestChecksum.compute(algorithm, user, challengeRealm, password));
        }
        return Optional.ofNullable(checksums.get(algorithm.baseAlgorithm()));
    }

    public String realm() {
        return realm;
    }

    public String user() {
        return user;
    }

    char[] password() {
        return password;
    }

    /** Overwrites the password copy held here, e.g. when the configuration is replaced. */
    public void destroy() {
        Arrays.fill(password, '\0');
    }

    @Override
    public String toString() {
        return "SipRealmCredentials[realm=" + realm + ", user=" + user
                + (checksums.isEmpty() ? ", password=<redacted>]" : ", checksums for " + checksums.keySet() + "=<redacted>]");
    }
}
