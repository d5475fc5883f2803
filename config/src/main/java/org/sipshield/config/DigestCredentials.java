package org.sipshield.config;

import java.util.List;
import org.sipshield.digest.DigestChecksum;

/**
 * Digest credentials at rest: the reference's "checksum", HA1 = H(user:realm:password) for each
 * algorithm, never the password. {@code sipshield users set-digest} writes them; the loader parses
 * them with digest-auth's {@link DigestChecksum}, which owns their format. No accessor gives the
 * HA1 out: a checksum only ever goes back to digest-auth.
 */
public record DigestCredentials(String realm, List<DigestChecksum> checksums) {
    public DigestCredentials {
        checksums = List.copyOf(checksums);
    }

    @Override
    public String toString() {
        return "DigestCredentials[realm=" + realm + ", algorithms="
                + checksums.stream().map(c -> c.algorithm().token()).toList() + ", ha1=<redacted>]";
    }
}
