package org.sipshield.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The SHA-256 fingerprint of a certificate (its DER encoding), as operators copy it from
 * {@code openssl x509 -fingerprint -sha256}: 64 hex digits, colons between pairs allowed, any case.
 * Two fingerprints are equal when their digits are, however they were written.
 */
public final class CertificateFingerprint {
    private final String hex;

    private CertificateFingerprint(String hex) {
        this.hex = hex;
    }

    /** Empty unless the text is 64 hex digits, optionally with a colon between each pair. */
    public static Optional<CertificateFingerprint> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String trimmed = text.trim();
        if (!trimmed.matches("[0-9A-Fa-f]{64}|[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}")) {
            return Optional.empty();
        }
        return Optional.of(new CertificateFingerprint(trimmed.replace(":", "").toLowerCase(Locale.ROOT)));
    }

    public static CertificateFingerprint of(X509Certificate certificate) {
        try {
            return new CertificateFingerprint(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 of a certificate: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CertificateFingerprint that && hex.equals(that.hex);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }

    /** Upper-case pairs with colons, as the certificate details print it. */
    @Override
    public String toString() {
        return CertificateDetails.colonHex(HexFormat.of().parseHex(hex));
    }
}
