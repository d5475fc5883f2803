package org.sipshield.digest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A stored digest credential, the reference's "credentials checksum": HA1 = H(user:realm:password)
 * for one hash family (RFC 7616 section 3.4.2). It is password-equivalent for that realm, so it
 * never appears in toString(), exception messages or logs.
 *
 * <p>Stored text form: {@code <algorithm>:<lower-case hex HA1>}, e.g.
 * {@code MD5:939e7578ed9e3c518a452acee763bce9} or {@code SHA-512-256:2d3d9f12...} (64 hex).
 * The algorithm is the base token (never {@code -sess}: the session variants derive from the same
 * HA1). The realm is not in the text: a checksum is only valid for the realm it was computed with,
 * so the configuration keeps it beside the realm it belongs to.
 */
public final class DigestChecksum {

    private final DigestAlgorithm algorithm;
    private final String ha1Hex;

    private DigestChecksum(DigestAlgorithm algorithm, String ha1Hex) {
        this.algorithm = algorithm;
        this.ha1Hex = ha1Hex;
    }

    /** Computes HA1 for one algorithm family from a password the caller then wipes. */
    public static DigestChecksum compute(DigestAlgorithm algorithm, String username, String realm, char[] password) {
        if (username == null || username.isEmpty() || realm == null || password == null) {
            throw new IllegalArgumentException("username, realm and password are required");
        }
        DigestAlgorithm base = algorithm.baseAlgorithm();
        MessageDigest md = base.newDigest();
        md.update((username + ":" + realm + ":").getBytes(StandardCharsets.UTF_8));
        ByteBuffer pw = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pwBytes = new byte[pw.remaining()];
        pw.get(pwBytes);
        md.update(pwBytes);
        Arrays.fill(pwBytes, (byte) 0);
        if (pw.hasArray()) {
            Arrays.fill(pw.array(), (byte) 0);
        }
        return new DigestChecksum(base, HexFormat.of().formatHex(md.digest()));
    }

    /** The checksums for every base algorithm, strongest first: what {@code users set-digest} stores. */
    public static List<DigestChecksum> computeAll(String username, String realm, char[] password) {
        List<DigestChecksum> all = new ArrayList<>();
        for (DigestAlgorithm a : List.of(DigestAlgorithm.SHA_512_256, DigestAlgorithm.SHA_256, DigestAlgorithm.MD5)) {
            all.add(compute(a, username, realm, password));
        }
        return List.copyOf(all);
    }

    /**
     * Reads the stored text form. The exception message never repeats the input, which may be a
     * real HA1 with a typo.
     */
    public static DigestChecksum parse(String stored) {
        if (stored == null) {
            throw new IllegalArgumentException("digest checksum is missing");
        }
        int colon = stored.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("digest checksum must look like <algorithm>:<hex HA1>");
        }
        DigestAlgorithm algorithm = DigestAlgorithm.fromToken(stored.substring(0, colon))
                .orElseThrow(() -> new IllegalArgumentException(
                        "digest checksum algorithm must be one of MD5, SHA-256, SHA-512-256"));
        if (algorithm.isSession()) {
            throw new IllegalArgumentException("digest checksum algorithm must be a base algorithm, not -sess");
        }
        String hex = stored.substring(colon + 1).toLowerCase(Locale.ROOT);
        if (hex.length() != algorithm.hexLength() || !DigestAuthorization.isHex(hex)) {
            throw new IllegalArgumentException("digest checksum for " + algorithm.token() + " must be "
                    + algorithm.hexLength() + " hexadecimal digits");
        }
        return new DigestChecksum(algorithm, hex);
    }

    /** Base algorithm family (MD5, SHA-256 or SHA-512-256). */
    public DigestAlgorithm algorithm() {
        return algorithm;
    }

    /** The text form the configuration stores. Only for writing the user store. */
    public String toStoredForm() {
        return algorithm.token() + ":" + ha1Hex;
    }

    String ha1Hex() {
        return ha1Hex;
    }

    /** Constant-time comparison of two checksums (tests, config reload diffs). */
    public boolean sameAs(DigestChecksum other) {
        return other != null && algorithm == other.algorithm
                && MessageDigest.isEqual(ha1Hex.getBytes(StandardCharsets.US_ASCII),
                        other.ha1Hex.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "DigestChecksum[" + algorithm.token() + ", HA1=<redacted>]";
    }
}
