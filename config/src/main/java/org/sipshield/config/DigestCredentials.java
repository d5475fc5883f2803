package org.sipshield.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * Digest credentials at rest: the reference's "checksum", HA1 = H(user:realm:password) for each
 * algorithm, never the password. {@code sipshield users set-digest} writes them.
 */
public record DigestCredentials(String realm, Map<String, String> ha1ByAlgorithm) {
    public DigestCredentials {
        ha1ByAlgorithm = java.util.Collections.unmodifiableMap(new TreeMap<>(ha1ByAlgorithm));
    }

    @Override
    public String toString() {
        return "DigestCredentials[realm=" + realm + ", algorithms=" + ha1ByAlgorithm.keySet() + ", ha1=<redacted>]";
    }
}
