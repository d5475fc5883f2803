package org.sipshield.tls;

import java.util.Locale;

/** The hash of our certificates' and CSRs' signatures. */
public enum SignatureHash {
    SHA256(256), SHA384(384), SHA512(512);

    private final int bits;

    SignatureHash(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** e.g. SHA384withECDSA for an EC key. */
    public String signatureAlgorithm(KeySpec key) {
        return name() + "with" + (key.isEc() ? "ECDSA" : "RSA");
    }

    public static SignatureHash fromName(String name) {
        String normalized = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace("-", "");
        for (SignatureHash hash : values()) {
            if (hash.name().equals(normalized)) {
                return hash;
            }
        }
        throw new IllegalArgumentException("hash '" + name + "' is not one of sha256, sha384, sha512");
    }
}
