package org.sipshield.tls;

import java.security.cert.X509Certificate;

/** Asks whether a certificate is revoked (OCSP); see {@link OcspClient}. */
public interface RevocationChecker {
    /** Never throws for a network or responder problem: that is an UNKNOWN result with its reason. */
    OcspResult check(X509Certificate certificate, X509Certificate issuer);

    /** Whether UNKNOWN refuses (the reference's Common Criteria mode). */
    boolean strict();
}
