package org.sipshield.tls;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The reference's Certificate Revocation settings: "Use OCSP URI from Certificate" or "Use
 * configured OCSP URI", "Check Every" (how long an answer is reused), and strict mode (the
 * reference's Common Criteria behaviour: UNKNOWN refuses too). Responder certificates that are
 * trusted directly (the reference's trusted responder model) may be given; otherwise the
 * answer must be signed by the certificate's issuer or a responder the issuer delegated to.
 */
public record OcspSettings(Optional<URI> configuredUri, Duration checkEvery, boolean strict, Duration timeout,
        List<X509Certificate> trustedResponders) {

    public OcspSettings {
        Objects.requireNonNull(configuredUri, "configuredUri");
        configuredUri.ifPresent(uri -> {
            if (!"http".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("an OCSP responder URI is http://, not " + uri);
            }
        });
        if (checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("the OCSP check interval must be positive");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the OCSP timeout must be positive");
        }
        trustedResponders = List.copyOf(trustedResponders);
    }

    /** Ask the responder each certificate names (its AIA extension). */
    public static OcspSettings fromCertificate(Duration checkEvery, boolean strict) {
        return new OcspSettings(Optional.empty(), checkEvery, strict, Duration.ofSeconds(5), List.of());
    }

    /** Ask this responder for every certificate. */
    public static OcspSettings configured(URI responder, Duration checkEvery, boolean strict) {
        return new OcspSettings(Optional.of(responder), checkEvery, strict, Duration.ofSeconds(5), List.of());
    }

    public OcspSettings withTrustedResponders(List<X509Certificate> responders) {
        return new OcspSettings(configuredUri, checkEvery, strict, timeout, responders);
    }

    public OcspSettings withTimeout(Duration newTimeout) {
        return new OcspSettings(configuredUri, checkEvery, strict, newTimeout, trustedResponders);
    }
}
