package org.sipshield.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Decides whether a TLS peer is the one a profile expects: its certificate chains to the
 * purpose's trust store, is not revoked (when OCSP is on), and its subject CN or one of its
 * SAN dNSName / iPAddress entries is in the profile's allowed names.
 */
public final class PeerIdentityVerifier {
    private final CertificateChainValidator chainValidator;
    private final Optional<RevocationChecker> revocation;

    public PeerIdentityVerifier(CertificateChainValidator chainValidator) {
        this(chainValidator, null);
    }

    /** @param revocation null when OCSP is off */
    public PeerIdentityVerifier(CertificateChainValidator chainValidator, RevocationChecker revocation) {
        this.chainValidator = chainValidator;
        this.revocation = Optional.ofNullable(revocation);
    }

    /** After a handshake: the session's peer chain against the allowed names. */
    public PeerVerdict verify(SSLSession session, AllowedPeerNames allowed) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : session.getPeerCertificates()) {
                chain.add((X509Certificate) certificate);
            }
            return verify(chain, allowed);
        } catch (SSLPeerUnverifiedException e) {
            return new PeerVerdict.Rejected("-", PeerVerdict.Reason.NO_CERTIFICATE, "the peer presented no certificate");
        }
    }

    public PeerVerdict verify(List<X509Certificate> chain, AllowedPeerNames allowed) {
        PeerVerdict trust = verifyTrust(chain);
        if (!trust.accepted()) {
            return trust;
        }
        X509Certificate leaf = chain.get(0);
        List<String> names = namesOf(leaf);
        Optional<String> match = allowed.firstAllowed(names);
        if (match.isEmpty()) {
            return new PeerVerdict.Rejected(trust.subject(), PeerVerdict.Reason.NAME_NOT_ALLOWED,
                    "certificate names " + names + " are not in the profile's list");
        }
        return new PeerVerdict.Accepted(trust.subject(), match.get());
    }

    /**
     * Chain and revocation only, for phones in secure mode (no name list) and for the
     * handshake's trust manager. An accepted verdict's matched name is the first CN or SAN.
     */
    public PeerVerdict verifyTrust(List<X509Certificate> chain) {
        if (chain == null || chain.isEmpty()) {
            return new PeerVerdict.Rejected("-", PeerVerdict.Reason.NO_CERTIFICATE, "the peer presented no certificate");
        }
        X509Certificate leaf = chain.get(0);
        String subject = leaf.getSubjectX500Principal().getName();
        CertificateChainValidator.Result result = chainValidator.validate(chain);
        if (result instanceof CertificateChainValidator.Result.Invalid invalid) {
            return new PeerVerdict.Rejected(subject, invalid.reason(), invalid.detail());
        }
        List<X509Certificate> path = ((CertificateChainValidator.Result.Valid) result).path();
        if (revocation.isPresent() && path.size() >= 2) {
            // The leaf against its issuer; a directly trusted certificate has no issuer to ask about.
            OcspResult status = revocation.get().check(path.get(0), path.get(1));
            if (status.status() == OcspResult.Status.REVOKED) {
                return new PeerVerdict.Rejected(subject, PeerVerdict.Reason.REVOKED, status.detail());
            }
            if (status.status() == OcspResult.Status.UNKNOWN && revocation.get().strict()) {
                return new PeerVerdict.Rejected(subject, PeerVerdict.Reason.REVOCATION_UNKNOWN, status.detail());
            }
        }
        List<String> names = namesOf(leaf);
        return new PeerVerdict.Accepted(subject, names.isEmpty() ? subject : names.get(0));
    }

    /** Subject CNs, then SAN dNSNames and iPAddresses, as plain strings, each once. */
    public static List<String> namesOf(X509Certificate certificate) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>(commonNames(certificate));
        for (String san : CertificateDetails.subjectAlternativeNames(certificate)) {
            if (san.startsWith("DNS:") || san.startsWith("IP:")) {
                names.add(san.substring(san.indexOf(':') + 1));
            }
        }
        return List.copyOf(names);
    }

    static List<String> commonNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // A subject we cannot parse has no usable CN; the SANs may still name the peer.
        }
        return names;
    }
}
