package org.sipshield.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Self-signed server certificates, as the proxy makes on its first start: RSA 2048 with
 * SHA-256 and CN = host name by default. SIP over TLS uses one certificate for both sides of a
 * connection, so the extended key usage carries serverAuth and clientAuth.
 */
public final class SelfSignedCertificates {
    /** Validity of a generated self-signed certificate: five years, as the reference's are. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(5 * 365);

    private SelfSignedCertificates() {}

    /** RSA 2048 / SHA256withRSA, CN and SAN = hostName. */
    public static ServerIdentity generate(String hostName) throws GeneralSecurityException {
        return generate(hostName, "RSA", 2048, "SHA256withRSA", DEFAULT_VALIDITY);
    }

    public static ServerIdentity generate(String hostName, String keyAlgorithm, int keySize,
            String signatureAlgorithm, Duration validity) throws GeneralSecurityException {
        if (hostName == null || hostName.isBlank()) {
            throw new IllegalArgumentException("a certificate needs a host name for its CN");
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
        generator.initialize(keySize, new SecureRandom());
        KeyPair keyPair = generator.generateKeyPair();

        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostName).build();
        Instant now = Instant.now();
        // 159 random bits: positive, unique, and within RFC 5280's 20-octet limit.
        BigInteger serial = new BigInteger(159, new SecureRandom());
        try {
            JcaX509ExtensionUtils extensionUtils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)),
                    subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(subjectAlternativeName(hostName)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensionUtils.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509Certificate certificate = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider())
                    .getCertificate(builder.build(new JcaContentSignerBuilder(signatureAlgorithm)
                            .setProvider(BouncyCastle.provider()).build(keyPair.getPrivate())));
            certificate.verify(keyPair.getPublic());
            return new ServerIdentity(keyPair.getPrivate(), List.of(certificate));
        } catch (OperatorCreationException | java.io.IOException e) {
            throw new GeneralSecurityException("cannot build the self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static GeneralName subjectAlternativeName(String hostName) {
        if (looksLikeIpAddress(hostName)) {
            return new GeneralName(GeneralName.iPAddress, hostName);
        }
        return new GeneralName(GeneralName.dNSName, hostName);
    }

    private static boolean looksLikeIpAddress(String hostName) {
        if (!hostName.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(hostName).getHostAddress() != null;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
