package org.sipshield.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
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
 * SHA-256 and CN = host name by default. The extensions are the reference's for the SIP
 * (CallManager) and HTTPS (tomcat) certificates, the same ones our CSRs request: key usage
 * digital signature, key encipherment, data encipherment; extended key usage server and client
 * authentication (SIP over TLS uses one certificate for both sides of a connection).
 */
public final class SelfSignedCertificates {
    /** Validity of a generated self-signed certificate: five years, as the reference's are. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(5 * 365);

    private SelfSignedCertificates() {}

    /** RSA 2048 / SHA256withRSA, CN and SAN = hostName. */
    public static ServerIdentity generate(String hostName) throws GeneralSecurityException {
        return generate(hostName, List.of(), KeySpec.RSA_2048, SignatureHash.SHA256, DEFAULT_VALIDITY, Instant.now());
    }

    /**
     * @param hostName the CN, also the first SAN
     * @param extraNames further SANs (DNS names or IP addresses)
     */
    public static ServerIdentity generate(String hostName, List<String> extraNames, KeySpec key, SignatureHash hash,
            Duration validity, Instant now) throws GeneralSecurityException {
        requireHostName(hostName);
        key.checkHash(hash);
        KeyPair keyPair = key.generate();
        X500Name subject = subject(hostName);
        // 159 random bits: positive, unique, and within RFC 5280's 20-octet limit.
        BigInteger serial = new BigInteger(159, new SecureRandom());
        try {
            JcaX509ExtensionUtils extensionUtils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)),
                    subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensionUtils.createSubjectKeyIdentifier(keyPair.getPublic()));
            for (Extension extension : referenceExtensions(names(hostName, extraNames))) {
                builder.addExtension(extension);
            }
            X509Certificate certificate = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider())
                    .getCertificate(builder.build(new JcaContentSignerBuilder(hash.signatureAlgorithm(key))
                            .setProvider(BouncyCastle.provider()).build(keyPair.getPrivate())));
            certificate.verify(keyPair.getPublic(), BouncyCastle.provider());
            return new ServerIdentity(keyPair.getPrivate(), List.of(certificate));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot build the self-signed certificate: " + e.getMessage(), e);
        }
    }

    static void requireHostName(String hostName) {
        if (hostName == null || hostName.isBlank()) {
            throw new IllegalArgumentException("a certificate needs a host name for its CN");
        }
    }

    static X500Name subject(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    static List<String> names(String hostName, List<String> extraNames) {
        Set<String> names = new LinkedHashSet<>();
        names.add(hostName);
        names.addAll(extraNames);
        return new ArrayList<>(names);
    }

    /** Key usage, extended key usage and SANs from the reference's CSR key usage table. */
    static List<Extension> referenceExtensions(List<String> subjectAlternativeNames) throws IOException {
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.dataEncipherment));
        extensions.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        if (!subjectAlternativeNames.isEmpty()) {
            extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                    subjectAlternativeNames.stream().map(SelfSignedCertificates::subjectAlternativeName)
                            .toArray(GeneralName[]::new)));
        }
        org.bouncycastle.asn1.x509.Extensions generated = extensions.generate();
        List<Extension> list = new ArrayList<>();
        for (org.bouncycastle.asn1.ASN1ObjectIdentifier oid : generated.getExtensionOIDs()) {
            list.add(generated.getExtension(oid));
        }
        return list;
    }

    static GeneralName subjectAlternativeName(String name) {
        if (looksLikeIpAddress(name)) {
            return new GeneralName(GeneralName.iPAddress, name);
        }
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static boolean looksLikeIpAddress(String hostName) {
        if (!hostName.matches("[0-9.]+|[0-9a-fA-F:]+") || !hostName.matches(".*[.:].*")) {
            return false;
        }
        try {
            // A literal never triggers a DNS lookup.
            return InetAddress.getByName(hostName).getHostAddress() != null;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
