package org.sipshield.digest;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The HMAC-SHA256 key that signs nonces. Generate one per instance, or load the same bytes on
 * every instance of a cluster so any of them validates the others' nonces.
 */
public final class NonceSecret {

    /** 256 bits: the HMAC-SHA256 block-size-safe minimum we accept. */
    public static final int MIN_LENGTH = 32;
    private static final int MAX_LENGTH = 64;

    private final byte[] key;

    private NonceSecret(byte[] key) {
        this.key = key;
    }

    public static NonceSecret generate(SecureRandom random) {
        byte[] k = new byte[MIN_LENGTH];
        random.nextBytes(k);
        return new NonceSecret(k);
    }

    /** A shared cluster secret; the array is copied, the caller should wipe its own. */
    public static NonceSecret fromBytes(byte[] key) {
        if (key == null || key.length < MIN_LENGTH || key.length > MAX_LENGTH) {
            throw new IllegalArgumentException("nonce secret must be " + MIN_LENGTH + " to " + MAX_LENGTH + " bytes");
        }
        return new NonceSecret(key.clone());
    }

    /** A shared cluster secret in standard Base64 (e.g. from a secrets file). */
    public static NonceSecret fromBase64(String base64) {
        byte[] k;
        try {
            k = Base64.getDecoder().decode(base64 == null ? "" : base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("nonce secret is not valid Base64");
        }
        try {
            return fromBytes(k);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    byte[] keyBytes() {
        return key;
    }

    @Override
    public String toString() {
        return "NonceSecret[<redacted>]";
    }
}
