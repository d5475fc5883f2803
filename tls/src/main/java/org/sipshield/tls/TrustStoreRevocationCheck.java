package org.sipshield.tls;

import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic half of OCSP for trust stores (certificates are also checked when they are
 * added): every certificate whose issuer is in the same store is asked about; roots, which no
 * responder can vouch for, are skipped. A revoked certificate is a security event in the log;
 * it stays in the store until the operator deletes it, since removing trust silently would cut
 * calls off without anyone knowing why.
 */
public final class TrustStoreRevocationCheck {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");
    private static final Logger LOG = LoggerFactory.getLogger(TrustStoreRevocationCheck.class);

    private final TrustStore store;
    private final RevocationChecker revocation;

    public TrustStoreRevocationCheck(TrustStore store, RevocationChecker revocation) {
        this.store = store;
        this.revocation = revocation;
    }

    /** Checks every certificate that has its issuer in the store; returns what the responders said. */
    public Map<X509Certificate, OcspResult> runOnce() {
        Map<X509Certificate, OcspResult> results = new LinkedHashMap<>();
        List<X509Certificate> certificates;
        try {
            certificates = store.certificates();
        } catch (java.io.IOException e) {
            LOG.warn("trust store {} unreadable for the OCSP check: {}", store, e.toString());
            return results;
        }
        for (X509Certificate certificate : certificates) {
            if (certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                continue;
            }
            for (X509Certificate issuer : certificates) {
                if (issuer != certificate && issuer.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                    OcspResult result = revocation.check(certificate, issuer);
                    results.put(certificate, result);
                    report(certificate, result);
                    break;
                }
            }
        }
        return results;
    }

    private static void report(X509Certificate certificate, OcspResult result) {
        String subject = certificate.getSubjectX500Principal().getName().replaceAll("[^\\x20-\\x7e]", "?");
        switch (result.status()) {
            case REVOKED -> SECURITY.warn("SECURITY trust-certificate-revoked subject=\"{}\" serial={} detail=\"{}\"",
                    subject.replace("\"", "'"), certificate.getSerialNumber().toString(16), result.detail().replace("\"", "'"));
            case UNKNOWN -> LOG.warn("OCSP: trust certificate {} unknown to its responder: {}", subject, result.detail());
            default -> LOG.debug("OCSP: trust certificate {}: {}", subject, result.status());
        }
    }
}
