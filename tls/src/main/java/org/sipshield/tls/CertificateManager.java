package org.sipshield.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The operator's certificate tasks for the proxy's own identities, per purpose: show, export,
 * regenerate self-signed, generate a CSR (keeping its key pending), import the CA-signed
 * certificate or chain for that key, delete. Files live beside the {@link IdentityStore}'s:
 * {@code certs/<purpose>.csr.pem} and {@code certs/<purpose>.csr.key.pem} (0600).
 */
public final class CertificateManager {
    public enum ExportFormat { PEM, DER }

    private final IdentityStore identities;
    private final Path certsDirectory;
    private final Clock clock;

    public CertificateManager(Path dataDirectory) {
        this(dataDirectory, Clock.systemUTC());
    }

    public CertificateManager(Path dataDirectory, Clock clock) {
        this.identities = new IdentityStore(dataDirectory);
        this.certsDirectory = dataDirectory.resolve("certs");
        this.clock = clock;
    }

    public IdentityStore identityStore() {
        return identities;
    }

    /** The identity's certificates, leaf first; empty if there is none yet. */
    public List<CertificateDetails> show(CertificatePurpose purpose) throws IOException, GeneralSecurityException {
        if (!identities.exists(purpose)) {
            return List.of();
        }
        return identities.load(purpose).chain().stream().map(CertificateDetails::of).toList();
    }

    /** PEM: the whole chain, leaf first. DER: the leaf alone (DER holds one certificate). */
    public byte[] export(CertificatePurpose purpose, ExportFormat format) throws IOException, GeneralSecurityException {
        ServerIdentity identity = identities.load(purpose);
        if (format == ExportFormat.DER) {
            return identity.certificate().getEncoded();
        }
        return CertificateFiles.toPem(identity.chain()).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Replaces the identity with a new self-signed one, overwriting a CA-signed one if there
     * was one (as the reference warns). A pending CSR stays pending.
     */
    public ServerIdentity regenerate(CertificatePurpose purpose, String hostName, List<String> extraNames, KeySpec key,
            SignatureHash hash, Duration validity) throws IOException, GeneralSecurityException {
        requireKeyType(purpose, key);
        ServerIdentity identity = SelfSignedCertificates.generate(hostName, extraNames, key, hash, validity, clock.instant());
        identities.store(purpose, identity);
        return identity;
    }

    /**
     * A PKCS#10 request with a new key, CN = commonName, the SANs and the reference's key usage
     * and extended key usage extensions. The key stays pending until the signed certificate is
     * imported; a new CSR replaces a pending one (and its key), as in the reference.
     *
     * @return the CSR in PEM
     */
    public byte[] createCsr(CertificatePurpose purpose, String commonName, List<String> extraNames, KeySpec key,
            SignatureHash hash) throws IOException, GeneralSecurityException {
        SelfSignedCertificates.requireHostName(commonName);
        requireKeyType(purpose, key);
        key.checkHash(hash);
        KeyPair keyPair = key.generate();
        try {
            Extensions extensions = new Extensions(SelfSignedCertificates
                    .referenceExtensions(SelfSignedCertificates.names(commonName, extraNames)).toArray(new Extension[0]));
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(
                    SelfSignedCertificates.subject(commonName), keyPair.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions)
                    .build(new JcaContentSignerBuilder(hash.signatureAlgorithm(key))
                            .setProvider(BouncyCastle.provider()).build(keyPair.getPrivate()));
            byte[] pem = CertificateFiles.toPem(List.of(csr)).getBytes(StandardCharsets.US_ASCII);
            SecretFiles.write(pendingKeyFile(purpose),
                    CertificateFiles.toPem(List.of(keyPair.getPrivate())).getBytes(StandardCharsets.US_ASCII));
            CertificateFiles.writeAtomically(pendingCsrFile(purpose), pem, "rw-r--r--");
            return pem;
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the CSR: " + e.getMessage(), e);
        }
    }

    /** The pending CSR (PEM), if one waits for its certificate. */
    public Optional<byte[]> pendingCsr(CertificatePurpose purpose) throws IOException {
        Path file = pendingCsrFile(purpose);
        return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    /**
     * Installs the CA-signed certificate for the pending CSR: a PEM or DER certificate, a PEM
     * chain, or a PKCS#7 chain (PEM or DER). Refused unless one certificate in it carries the
     * pending key and is valid now. The chain is ordered leaf first; certificates that are not
     * part of the leaf's chain are dropped. With a revocation checker, a revoked leaf is refused.
     */
    public ServerIdentity importCertificate(CertificatePurpose purpose, byte[] certificateOrChain,
            RevocationChecker revocationOrNull) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(pendingKeyFile(purpose))) {
            throw new GeneralSecurityException("no CSR is pending for " + purpose.fileStem()
                    + ": generate a CSR first, then import the certificate the CA signed for it");
        }
        PrivateKey pendingKey = IdentityStore.readPrivateKey(pendingKeyFile(purpose));
        List<X509Certificate> certificates = CertificateFiles.read(certificateOrChain);
        X509Certificate leaf = certificates.stream().filter(c -> KeyMatch.matches(pendingKey, c.getPublicKey()))
                .findFirst().orElseThrow(() -> new GeneralSecurityException(
                        "refused: no certificate in the upload carries the pending CSR's key"));
        leaf.checkValidity(Date.from(clock.instant()));
        List<X509Certificate> chain = orderChain(leaf, certificates);
        if (revocationOrNull != null && chain.size() >= 2) {
            OcspResult status = revocationOrNull.check(leaf, chain.get(1));
            if (status.status() == OcspResult.Status.REVOKED
                    || (status.status() == OcspResult.Status.UNKNOWN && revocationOrNull.strict())) {
                throw new GeneralSecurityException("refused: OCSP says " + status.status() + ": " + status.detail());
            }
        }
        ServerIdentity identity = new ServerIdentity(pendingKey, chain);
        identities.store(purpose, identity);
        Files.deleteIfExists(pendingKeyFile(purpose));
        Files.deleteIfExists(pendingCsrFile(purpose));
        return identity;
    }

    /**
     * Deletes the identity and any pending CSR. The proxy makes a new self-signed identity
     * on its next start, so a deleted CA-signed certificate falls back to self-signed.
     */
    public boolean delete(CertificatePurpose purpose) throws IOException {
        boolean deleted = Files.deleteIfExists(identities.keyFile(purpose));
        deleted |= Files.deleteIfExists(identities.certificateFile(purpose));
        deleted |= Files.deleteIfExists(pendingKeyFile(purpose));
        deleted |= Files.deleteIfExists(pendingCsrFile(purpose));
        return deleted;
    }

    /** The reference fixes the key type per purpose: EC for CallManager-ECDSA; the other identities take any. */
    private static void requireKeyType(CertificatePurpose purpose, KeySpec key) throws GeneralSecurityException {
        if (purpose.requiresEcKey() && !key.isEc()) {
            throw new GeneralSecurityException("the " + purpose.fileStem() + " certificate needs an EC key (ec-p256, ec-p384, ec-p521)");
        }
    }

    static List<X509Certificate> orderChain(X509Certificate leaf, List<X509Certificate> certificates) {
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        List<X509Certificate> rest = new ArrayList<>(certificates);
        rest.remove(leaf);
        X509Certificate current = leaf;
        while (!current.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
            X509Certificate issuer = null;
            for (X509Certificate candidate : rest) {
                if (candidate.getSubjectX500Principal().equals(current.getIssuerX500Principal()) && signedBy(current, candidate)) {
                    issuer = candidate;
                    break;
                }
            }
            if (issuer == null) {
                break;
            }
            chain.add(issuer);
            rest.remove(issuer);
            current = issuer;
        }
        return chain;
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey(), BouncyCastle.provider());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    Path pendingCsrFile(CertificatePurpose purpose) {
        return certsDirectory.resolve(purpose.fileStem() + ".csr.pem");
    }

    Path pendingKeyFile(CertificatePurpose purpose) {
        return certsDirectory.resolve(purpose.fileStem() + ".csr.key.pem");
    }

    /** Reads a PEM CSR (for tests and the CLI's display). */
    static PKCS10CertificationRequest readCsr(byte[] pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            return (PKCS10CertificationRequest) parser.readObject();
        }
    }
}
