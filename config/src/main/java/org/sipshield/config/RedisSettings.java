package org.sipshield.config;

import java.nio.file.Path;

/**
 * Where the nodes of a cluster share their security counters: the brute-force guard's failure
 * windows and blocks, nonce-count replay state and the operator's blocks. Absent ({@code url}
 * null): each node keeps them in memory, as one node always did.
 *
 * @param url           {@code redis://host[:port][/db]} or {@code rediss://} for TLS; never credentials
 * @param user          the ACL user to authenticate as, or null (the default user)
 * @param passwordFile  a file holding the password (one line), or null; kept out of the URL and the YAML
 * @param caFile        PEM certificates a {@code rediss://} server must chain to, or null for the JDK's
 * @param timeoutMillis how long a request waits for Redis before the unavailable rule applies
 * @param unavailable   what the counters do while Redis cannot be reached
 */
public record RedisSettings(String url, String user, Path passwordFile, Path caFile, int timeoutMillis,
        Unavailable unavailable) {
    public static final int DEFAULT_TIMEOUT_MILLIS = 250;

    /** Redis down: each node counts alone (the default), or every challenge answer is refused. */
    public enum Unavailable { LOCAL_ONLY, FAIL_CLOSED }

    public static RedisSettings none() {
        return new RedisSettings(null, null, null, null, DEFAULT_TIMEOUT_MILLIS, Unavailable.LOCAL_ONLY);
    }

    public boolean isShared() {
        return url != null;
    }
}
