package org.sipshield.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The digest algorithms of RFC 7616 section 6.1, as RFC 8760 allows them for SIP.
 *
 * <p>SHA-512-256 is FIPS 180-4 SHA-512/256 (its own initial hash values), not a truncated
 * SHA-512: RFC 7616 section 3.9.2 prints truncated SHA-512 values, see testdata/vectors.
 */
public enum DigestAlgorithm {
    MD5("MD5", "MD5", false, 1),
    MD5_SESS("MD5-sess", "MD5", true, 1),
    SHA_256("SHA-256", "SHA-256", false, 2),
    SHA_256_SESS("SHA-256-sess", "SHA-256", true, 2),
    SHA_512_256("SHA-512-256", "SHA-512/256", false, 3),
    SHA_512_256_SESS("SHA-512-256-sess", "SHA-512/256", true, 3);

    private final String token;
    private final String jcaName;
    private final boolean session;
    private final int strength;

    DigestAlgorithm(String token, String jcaName, boolean session, int strength) {
        this.token = token;
        this.jcaName = jcaName;
        this.session = session;
        this.strength = strength;
    }

    /** The token as written in the {@code algorithm} parameter, e.g. {@code SHA-512-256}. */
    public String token() {
        return token;
    }

    /** True for the {@code -sess} variants, whose HA1 also covers nonce and cnonce. */
    public boolean isSession() {
        return session;
    }

    /** The hash family of this algorithm: the stored checksum (HA1) is per family. */
    public DigestAlgorithm baseAlgorithm() {
        return switch (this) {
            case MD5, MD5_SESS -> MD5;
            case SHA_256, SHA_256_SESS -> SHA_256;
            case SHA_512_256, SHA_512_256_SESS -> SHA_512_256;
        };
    }

    /** Higher is stronger; equal for a family and its -sess variant. */
    public int strength() {
        return strength;
    }

    /** Hex length of one hash output: 32 for MD5, 64 for the SHA-2 family. */
    public int hexLength() {
        return this.baseAlgorithm() == MD5 ? 32 : 64;
    }

    /** Case-insensitive lookup of an {@code algorithm} parameter value (RFC 7616: case-insensitive). */
    public static Optional<DigestAlgorithm> fromToken(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String t = token.toLowerCase(Locale.ROOT);
        for (DigestAlgorithm a : values()) {
            if (a.token.toLowerCase(Locale.ROOT).equals(t)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Lower-case hex of H(data) with this algorithm's hash function. */
    String hashHex(String data) {
        return hashHex(data.getBytes(StandardCharsets.UTF_8));
    }

    String hashHex(byte[] data) {
        return HexFormat.of().formatHex(newDigest().digest(data));
    }

    MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            // Every Java 17 runtime ships MD5, SHA-256 and SHA-512/256 (JCA standard names).
            throw new IllegalStateException("JCA digest " + jcaName + " missing", e);
        }
    }

    @Override
    public String toString() {
        return token;
    }
}
