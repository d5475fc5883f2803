package org.sipshield.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * The proxy's own identities, one per purpose, as PEM files under {@code <dataDir>/certs}:
 * {@code sip.key.pem} (mode 0600) and {@code sip.crt.pem} (leaf first, then its chain).
 * PEM because operators inspect and replace these files with openssl.
 */
public final class IdentityStore {
    private final Path certsDirectory;

    public IdentityStore(Path dataDirectory) {
        this.certsDirectory = dataDirectory.resolve("certs");
    }

    public Path keyFile(CertificatePurpose purpose) {
        return certsDirectory.resolve(purpose.fileStem() + ".key.pem");
    }

    public Path certificateFile(CertificatePurpose purpose) {
        return certsDirectory.resolve(purpose.fileStem() + ".crt.pem");
    }

    public boolean exists(CertificatePurpose purpose) {
        return Files.isRegularFile(keyFile(purpose)) && Files.isRegularFile(certificateFile(purpose));
    }

    /**
     * The stored identity for this purpose; on first use a self-signed one for hostName is
     * generated and stored, and later calls return the same one.
     */
    public ServerIdentity loadOrCreate(CertificatePurpose purpose, String hostName)
            throws IOException, GeneralSecurityException {
        if (exists(purpose)) {
            return load(purpose);
        }
        ServerIdentity identity = purpose.requiresEcKey()
                ? SelfSignedCertificates.generate(hostName, List.of(), KeySpec.EC_P256, SignatureHash.SHA256,
                        SelfSignedCertificates.DEFAULT_VALIDITY, java.time.Instant.now())
                : SelfSignedCertificates.generate(hostName);
        store(purpose, identity);
        return identity;
    }

    public ServerIdentity load(CertificatePurpose purpose) throws IOException, GeneralSecurityException {
        PrivateKey key = readPrivateKey(keyFile(purpose));
        List<X509Certificate> chain = readCertificates(certificateFile(purpose));
        if (chain.isEmpty()) {
            throw new GeneralSecurityException(certificateFile(purpose) + " holds no certificate");
        }
        return new ServerIdentity(key, chain);
    }

    /** Writes both files atomically (temporary file, then rename); the key file is 0600 from its creation. */
    public void store(CertificatePurpose purpose, ServerIdentity identity) throws IOException {
        Files.createDirectories(certsDirectory);
        SecretFiles.write(keyFile(purpose), pem(List.of(identity.privateKey())).getBytes(StandardCharsets.US_ASCII));
        SecretFiles.write(certificateFile(purpose), pem(new ArrayList<>(identity.chain())).getBytes(StandardCharsets.US_ASCII),
                PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static String pem(List<?> objects) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        }
        return text.toString();
    }

    static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BouncyCastle.provider());
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            // Never echo the content: it may be a key in a format we do not read.
            throw new GeneralSecurityException(file + " does not hold an unencrypted PEM private key");
        }
    }

    static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider());
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        }
        return certificates;
    }
}
