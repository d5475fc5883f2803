package org.sipshield.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A purpose's trust store ({@code sip-trust}, {@code https-trust}): one PEM file per certificate
 * in {@code <dataDir>/trust/<purpose>/}, named after its subject and SHA-256 fingerprint.
 *
 * <p>The reference's upload rules: PEM or DER, keys of at most 4096 bits, the certificate must
 * be valid now, and only one certificate per subject: of two with the same subject the one with
 * the later validity start stays.
 */
public final class TrustStore {
    public static final int MAX_KEY_BITS = 4096;

    private final CertificatePurpose purpose;
    private final Path directory;
    private final Clock clock;

    public TrustStore(Path dataDirectory, CertificatePurpose purpose) {
        this(dataDirectory, purpose, Clock.systemUTC());
    }

    public TrustStore(Path dataDirectory, CertificatePurpose purpose, Clock clock) {
        this.purpose = purpose;
        this.directory = dataDirectory.resolve("trust").resolve(purpose.trustStem());
        this.clock = clock;
    }

    /** "sip-trust" or "https-trust", as the reference names trust stores. */
    public String name() {
        return purpose.trustStem() + "-trust";
    }

    public Path directory() {
        return directory;
    }

    /** One trusted certificate and its id (the file name without .pem). */
    public record Entry(String id, X509Certificate certificate) {
        public CertificateDetails details() {
            return CertificateDetails.of(certificate);
        }
    }

    /** What happened to one uploaded certificate. */
    public record AddResult(Outcome outcome, String id, String subject, String detail) {
        public enum Outcome { ADDED, REPLACED, ALREADY_PRESENT, KEPT_EXISTING }

        @Override
        public String toString() {
            return outcome + " " + subject + " (" + id + ")" + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    /**
     * Adds every certificate in PEM or DER bytes (a PEM chain adds each). Refuses the whole
     * upload, changing nothing, if one certificate breaks a rule.
     */
    public synchronized List<AddResult> add(byte[] pemOrDer) throws IOException, GeneralSecurityException {
        return add(pemOrDer, null);
    }

    /**
     * As {@link #add(byte[])}, and with OCSP on (the reference checks on upload): a certificate
     * whose issuer is in the upload or the store is refused if revoked, or if unknown in strict mode.
     */
    public synchronized List<AddResult> add(byte[] pemOrDer, RevocationChecker revocationOrNull)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> certificates = CertificateFiles.read(pemOrDer);
        for (X509Certificate certificate : certificates) {
            checkUploadRules(certificate);
        }
        if (revocationOrNull != null) {
            List<X509Certificate> issuers = new ArrayList<>(certificates);
            issuers.addAll(certificates());
            for (X509Certificate certificate : certificates) {
                checkRevocation(certificate, issuers, revocationOrNull);
            }
        }
        List<AddResult> results = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            results.add(addOne(certificate));
        }
        return results;
    }

    private static void checkRevocation(X509Certificate certificate, List<X509Certificate> issuers,
            RevocationChecker revocation) throws GeneralSecurityException {
        if (certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return;
        }
        for (X509Certificate issuer : issuers) {
            if (!issuer.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                continue;
            }
            try {
                certificate.verify(issuer.getPublicKey(), BouncyCastle.provider());
            } catch (GeneralSecurityException notThisIssuer) {
                continue;
            }
            OcspResult status = revocation.check(certificate, issuer);
            if (status.status() == OcspResult.Status.REVOKED
                    || (status.status() == OcspResult.Status.UNKNOWN && revocation.strict())) {
                throw new GeneralSecurityException("refused " + certificate.getSubjectX500Principal().getName()
                        + ": OCSP " + status.status() + ": " + status.detail());
            }
            return;
        }
    }

    private void checkUploadRules(X509Certificate certificate) throws GeneralSecurityException {
        String subject = certificate.getSubjectX500Principal().getName();
        int bits = CertificateDetails.keySize(certificate.getPublicKey());
        if (bits > MAX_KEY_BITS) {
            throw new GeneralSecurityException("refused " + subject + ": its " + bits
                    + "-bit key is larger than the " + MAX_KEY_BITS + "-bit maximum");
        }
        try {
            certificate.checkValidity(Date.from(clock.instant()));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new GeneralSecurityException("refused " + subject + ": not valid now (valid "
                    + certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant() + ")");
        }
    }

    private AddResult addOne(X509Certificate incoming) throws IOException {
        String subject = incoming.getSubjectX500Principal().getName();
        String id = idOf(incoming);
        for (Entry existing : list()) {
            if (!existing.certificate().getSubjectX500Principal().equals(incoming.getSubjectX500Principal())) {
                continue;
            }
            if (existing.certificate().equals(incoming)) {
                return new AddResult(AddResult.Outcome.ALREADY_PRESENT, existing.id(), subject, "");
            }
            if (!incoming.getNotBefore().after(existing.certificate().getNotBefore())) {
                return new AddResult(AddResult.Outcome.KEPT_EXISTING, existing.id(), subject,
                        "the stored certificate with this subject starts its validity later or at the same time ("
                                + existing.certificate().getNotBefore().toInstant() + ")");
            }
            write(id, incoming);
            Files.deleteIfExists(file(existing.id()));
            return new AddResult(AddResult.Outcome.REPLACED, id, subject, "replaced " + existing.id()
                    + " whose validity started earlier (" + existing.certificate().getNotBefore().toInstant() + ")");
        }
        write(id, incoming);
        return new AddResult(AddResult.Outcome.ADDED, id, subject, "");
    }

    private void write(String id, X509Certificate certificate) throws IOException {
        CertificateFiles.writeAtomically(file(id),
                CertificateFiles.toPem(List.of(certificate)).getBytes(StandardCharsets.US_ASCII), "rw-r--r--");
    }

    /** Trusted certificates, ordered by id. Unreadable files are skipped, not fatal. */
    public synchronized List<Entry> list() throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.pem")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                try {
                    for (X509Certificate certificate : CertificateFiles.read(Files.readAllBytes(file))) {
                        entries.add(new Entry(name.substring(0, name.length() - 4), certificate));
                    }
                } catch (GeneralSecurityException e) {
                    org.slf4j.LoggerFactory.getLogger(TrustStore.class)
                            .warn("{}: skipping unreadable {}: {}", name(), file, e.getMessage());
                }
            }
        }
        entries.sort(Comparator.comparing(Entry::id));
        return entries;
    }

    public List<X509Certificate> certificates() throws IOException {
        return list().stream().map(Entry::certificate).toList();
    }

    /** Deletes by id, or by a unique prefix of the SHA-256 fingerprint (colons optional). */
    public synchronized boolean delete(String idOrFingerprint) throws IOException {
        Optional<Entry> entry = find(idOrFingerprint);
        if (entry.isEmpty()) {
            return false;
        }
        return Files.deleteIfExists(file(entry.get().id()));
    }

    public Optional<Entry> find(String idOrFingerprint) throws IOException {
        String wanted = idOrFingerprint.replace(":", "").toUpperCase(Locale.ROOT);
        List<Entry> matches = new ArrayList<>();
        for (Entry entry : list()) {
            String fingerprint = CertificateDetails.fingerprint(entry.certificate(), "SHA-256").replace(":", "");
            if (entry.id().equals(idOrFingerprint)) {
                return Optional.of(entry);
            }
            if (wanted.length() >= 8 && fingerprint.startsWith(wanted)) {
                matches.add(entry);
            }
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException("'" + idOrFingerprint + "' matches " + matches.size() + " certificates");
        }
        return matches.stream().findFirst();
    }

    private Path file(String id) {
        if (!id.matches("[A-Za-z0-9._-]+") || id.startsWith(".")) {
            throw new IllegalArgumentException("not a trust store id: " + id);
        }
        return directory.resolve(id + ".pem");
    }

    /** subject CN (or the whole subject) made file-safe, then the first 16 hex digits of the SHA-256 fingerprint. */
    static String idOf(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        String cn = PeerIdentityVerifier.commonNames(certificate).stream().findFirst().orElse(subject);
        String safe = cn.replaceAll("[^A-Za-z0-9.-]+", "_");
        if (safe.length() > 48) {
            safe = safe.substring(0, 48);
        }
        String fingerprint = CertificateDetails.fingerprint(certificate, "SHA-256").replace(":", "").toLowerCase(Locale.ROOT);
        return safe + "_" + fingerprint.substring(0, 16);
    }
}
