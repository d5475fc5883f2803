package org.sipshield.digest;

import java.util.Optional;

/** Where the verifier looks users up: the proxy adapts its configuration to this. */
public interface DigestUserDirectory {

    /** The user named {@code username} in {@code realm}, if any. */
    Optional<DigestUser> findByUsername(String realm, String username);

    /**
     * The user whose H(username:realm) with {@code algorithm}'s hash is {@code userhashHex}
     * (RFC 7616 userhash). Directories that cannot index that return empty, and such clients
     * fail like an unknown user.
     */
    default Optional<DigestUser> findByUserhash(String realm, DigestAlgorithm algorithm, String userhashHex) {
        return Optional.empty();
    }
}
