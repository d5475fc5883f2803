package org.sipshield.tls;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * PKIX validation (Bouncy Castle's) of a peer's chain against a trust store. A certificate
 * that is itself in the trust store is trusted directly, as the reference's trunks do when the
 * other system's own certificate is uploaded. Revocation is OCSP's job, not this one's.
 */
public final class CertificateChainValidator {
    private final Supplier<List<X509Certificate>> trustedCertificates;
    private final Clock clock;

    /** @param trustedCertificates read on every validation (of(TrustStore): the last snapshot, re-checked every few seconds) */
    public CertificateChainValidator(Supplier<List<X509Certificate>> trustedCertificates, Clock clock) {
        this.trustedCertificates = trustedCertificates;
        this.clock = clock;
    }

    /**
     * Validates against a trust store, re-reading it only when its set of files changed (file
     * names carry the certificate's fingerprint), and looking at the directory at most every
     * {@link #TRUST_STORE_RECHECK_SECONDS} s: a handshake or a request only reads the last snapshot.
     */
    public static CertificateChainValidator of(TrustStore trustStore) {
        return new CertificateChainValidator(new CachedTrustStore(trustStore), Clock.systemUTC());
    }

    /** How soon a certificate added to or removed from a trust store directory applies (as the identity files' watch). */
    public static final int TRUST_STORE_RECHECK_SECONDS = 2;

    /**
     * The trust store's certificates as last read. The directory used to be listed under one lock on
     * every call: with a thousand TLS phones, every request of a secure device queued on that lock
     * (the stall watchdog fired). Now one caller at a time re-checks, at most every few seconds, while
     * the others read the current snapshot without waiting.
     */
    private static final class CachedTrustStore implements Supplier<List<X509Certificate>> {
        private record Snapshot(Set<String> files, List<X509Certificate> certificates, long checkedAtNanos) {}

        private final TrustStore trustStore;
        private final java.util.concurrent.locks.ReentrantLock rechecking = new java.util.concurrent.locks.ReentrantLock();
        private volatile Snapshot snapshot;

        CachedTrustStore(TrustStore trustStore) {
            this.trustStore = trustStore;
        }

        @Override
        public List<X509Certificate> get() {
            Snapshot current = snapshot;
            if (current != null && (fresh(current) || !rechecking.tryLock())) {
                return current.certificates(); // fresh, or another thread is re-reading it now
            }
            if (current == null) {
                rechecking.lock(); // the first read: everyone waits for it
            }
            try {
                current = snapshot;
                if (current != null && fresh(current)) {
                    return current.certificates();
                }
                Set<String> files = files();
                List<X509Certificate> certificates = current != null && files.equals(current.files())
                        ? current.certificates() : trustStore.certificates();
                snapshot = new Snapshot(files, certificates, System.nanoTime());
                return certificates;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                rechecking.unlock();
            }
        }

        private static boolean fresh(Snapshot snapshot) {
            return System.nanoTime() - snapshot.checkedAtNanos() < java.util.concurrent.TimeUnit.SECONDS.toNanos(
                    TRUST_STORE_RECHECK_SECONDS);
        }

        private Set<String> files() throws java.io.IOException {
            Set<String> files = new java.util.TreeSet<>();
            java.nio.file.Path directory = trustStore.directory();
            if (java.nio.file.Files.isDirectory(directory)) {
                try (java.nio.file.DirectoryStream<java.nio.file.Path> stream =
                        java.nio.file.Files.newDirectoryStream(directory, "*.pem")) {
                    stream.forEach(file -> files.add(file.getFileName().toString()));
                }
            }
            return files;
        }
    }

    /** The validated path, leaf first, ending with the trust anchor; or the reason it fails. */
    public sealed interface Result {
        record Valid(List<X509Certificate> path) implements Result {}

        record Invalid(PeerVerdict.Reason reason, String detail) implements Result {}
    }

    public Result validate(List<X509Certificate> chain) {
        if (chain == null || chain.isEmpty()) {
            return new Result.Invalid(PeerVerdict.Reason.NO_CERTIFICATE, "the peer presented no certificate");
        }
        Date now = Date.from(clock.instant());
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            return new Result.Invalid(PeerVerdict.Reason.EXPIRED_OR_NOT_YET_VALID, "valid "
                    + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant());
        }
        List<X509Certificate> trusted = trustedCertificates.get();
        if (trusted.contains(leaf)) {
            return new Result.Valid(List.of(leaf));
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate certificate : trusted) {
            anchors.add(new TrustAnchor(certificate, null));
        }
        if (anchors.isEmpty()) {
            return new Result.Invalid(PeerVerdict.Reason.UNTRUSTED_CHAIN, "the trust store is empty");
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
            parameters.setRevocationEnabled(false);
            parameters.setDate(now);
            parameters.addCertStore(CertStore.getInstance("Collection",
                    new CollectionCertStoreParameters(chain), BouncyCastle.provider()));
            CertPathBuilder builder = CertPathBuilder.getInstance("PKIX", BouncyCastle.provider());
            PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult) builder.build(parameters);
            List<X509Certificate> path = new ArrayList<>();
            result.getCertPath().getCertificates().forEach(c -> path.add((X509Certificate) c));
            path.add(result.getTrustAnchor().getTrustedCert());
            return new Result.Valid(path);
        } catch (CertPathBuilderException e) {
            return new Result.Invalid(PeerVerdict.Reason.UNTRUSTED_CHAIN,
                    "no path to a trusted certificate: " + Optional.ofNullable(e.getMessage()).orElse("PKIX failed"));
        } catch (InvalidAlgorithmParameterException e) {
            return new Result.Invalid(PeerVerdict.Reason.UNTRUSTED_CHAIN, e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PKIX is unavailable: " + e.getMessage(), e);
        }
    }
}
