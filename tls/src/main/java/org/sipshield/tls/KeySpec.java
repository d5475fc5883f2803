package org.sipshield.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;

/** The key types and sizes the reference offers for our own certificates. */
public enum KeySpec {
    RSA_2048("RSA", 2048, null),
    RSA_3072("RSA", 3072, null),
    RSA_4096("RSA", 4096, null),
    EC_P256("EC", 256, "secp256r1"),
    EC_P384("EC", 384, "secp384r1"),
    EC_P521("EC", 521, "secp521r1");

    private final String algorithm;
    private final int bits;
    private final String curve;

    KeySpec(String algorithm, int bits, String curve) {
        this.algorithm = algorithm;
        this.bits = bits;
        this.curve = curve;
    }

    public String algorithm() {
        return algorithm;
    }

    public int bits() {
        return bits;
    }

    public boolean isEc() {
        return curve != null;
    }

    public KeyPair generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, BouncyCastle.provider());
        if (curve != null) {
            generator.initialize(new ECGenParameterSpec(curve), new SecureRandom());
        } else {
            generator.initialize(bits, new SecureRandom());
        }
        return generator.generateKeyPair();
    }

    /**
     * The reference's rule: the hash must be at least as strong as the key, so P-384 keys take
     * SHA-384 or SHA-512 and P-521 keys SHA-512; RSA keys take any of the three.
     */
    public void checkHash(SignatureHash hash) {
        int needed = switch (this) {
            case EC_P384 -> 384;
            case EC_P521 -> 512;
            default -> 256;
        };
        if (hash.bits() < needed) {
            throw new IllegalArgumentException(this + " needs a hash of at least " + needed + " bits, not " + hash);
        }
    }

    /** "rsa-2048", "RSA_2048", "ec-p384", "EC_P384" ... */
    public static KeySpec fromName(String name) {
        String normalized = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (KeySpec spec : values()) {
            if (spec.name().equals(normalized)) {
                return spec;
            }
        }
        throw new IllegalArgumentException("key '" + name + "' is not one of rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384, ec-p521");
    }
}
