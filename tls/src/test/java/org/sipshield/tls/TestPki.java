package org.sipshield.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A small test CA made with Bouncy Castle: issues leaf certificates, signs CSRs, writes PEM for openssl. */
final class TestPki {
    final KeyPair caKeys;
    final X509Certificate caCertificate;
    private final String ocspUrl;

    TestPki(String caName, String ocspUrl) throws Exception {
        this.caKeys = rsa(2048);
        this.ocspUrl = ocspUrl;
        X500Name name = new X500Name("CN=" + caName + ",O=sipshield tests");
        Instant now = Instant.now();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(3650))), name, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(caKeys.getPublic()));
        this.caCertificate = sign(builder, caKeys.getPrivate());
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits, new SecureRandom());
        return generator.generateKeyPair();
    }

    static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve), new SecureRandom());
        return generator.generateKeyPair();
    }

    static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).setBit(63);
    }

    /** A leaf for TLS (server and client auth) with the given CN and DNS SANs, RSA 2048. */
    ServerIdentity issue(String commonName, String... dnsNames) throws Exception {
        return issue(commonName, rsa(2048), Instant.now().minus(Duration.ofHours(1)), Duration.ofDays(365), dnsNames);
    }

    ServerIdentity issue(String commonName, KeyPair keys, Instant notBefore, Duration validity, String... dnsNames) throws Exception {
        X509Certificate certificate = certify(new X500Name("CN=" + commonName), keys.getPublic(), notBefore, validity, dnsNames);
        return new ServerIdentity(keys.getPrivate(), List.of(certificate, caCertificate));
    }

    X509Certificate certify(X500Name subject, PublicKey key, Instant notBefore, Duration validity, String... dnsNames) throws Exception {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(), Date.from(notBefore),
                Date.from(notBefore.plus(validity)), subject, key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCertificate));
        if (dnsNames.length > 0) {
            List<GeneralName> names = new ArrayList<>();
            for (String dns : dnsNames) {
                names.add(new GeneralName(dns.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, dns));
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
        }
        if (ocspUrl != null) {
            builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                    new AccessDescription(AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl))));
        }
        return sign(builder, caKeys.getPrivate());
    }

    /** Signs a CSR as a CA would, copying its requested extensions. */
    X509Certificate signCsr(byte[] csrPem) throws Exception {
        PKCS10CertificationRequest csr;
        try (org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(
                new java.io.StringReader(new String(csrPem, StandardCharsets.US_ASCII)))) {
            csr = (PKCS10CertificationRequest) parser.readObject();
        }
        JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(csr).setProvider(BouncyCastle.provider());
        Instant now = Instant.now().minus(Duration.ofMinutes(1));
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(), Date.from(now),
                Date.from(now.plus(Duration.ofDays(90))), csr.getSubject(), request.getPublicKey());
        org.bouncycastle.asn1.x509.Extensions requested = null;
        for (org.bouncycastle.asn1.pkcs.Attribute attribute : csr.getAttributes(
                org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            requested = org.bouncycastle.asn1.x509.Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
        }
        if (requested != null) {
            for (org.bouncycastle.asn1.ASN1ObjectIdentifier oid : requested.getExtensionOIDs()) {
                builder.addExtension(requested.getExtension(oid));
            }
        }
        return sign(builder, caKeys.getPrivate());
    }

    static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws Exception {
        String algorithm = key.getAlgorithm().startsWith("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().setProvider(BouncyCastle.provider())
                .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).setProvider(BouncyCastle.provider()).build(key)));
    }

    static Path writePem(Path file, Object... objects) throws IOException {
        Files.writeString(file, CertificateFiles.toPem(List.of(objects)), StandardCharsets.US_ASCII);
        return file;
    }
}
