package org.sipshield.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key and the certificate chain that presents it (leaf first). The key never leaves
 * through toString, so an identity can be logged safely.
 */
public final class ServerIdentity {
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;

    public ServerIdentity(PrivateKey privateKey, List<X509Certificate> chain) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        if (chain == null || chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the leaf certificate");
        }
        this.chain = List.copyOf(chain);
        if (!KeyMatch.matches(privateKey, this.chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("the private key does not belong to the leaf certificate");
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    @Override
    public String toString() {
        X509Certificate leaf = certificate();
        return "ServerIdentity[subject=" + leaf.getSubjectX500Principal().getName()
                + ", issuer=" + leaf.getIssuerX500Principal().getName()
                + ", serial=" + leaf.getSerialNumber().toString(16)
                + ", notAfter=" + leaf.getNotAfter().toInstant() + ", key=<redacted>]";
    }
}
