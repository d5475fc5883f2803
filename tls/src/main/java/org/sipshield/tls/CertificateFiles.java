package org.sipshield.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Reading and writing certificates as operators hand them over: PEM, DER, PKCS#7 (PEM or DER). */
public final class CertificateFiles {
    private CertificateFiles() {}

    /**
     * Every certificate in the bytes, in order: PEM (one or more CERTIFICATE blocks, or a PKCS7
     * block), a DER certificate, or a DER PKCS#7 chain.
     */
    public static List<X509Certificate> read(byte[] content) throws GeneralSecurityException {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN")) {
            return readPem(text);
        }
        // PKCS#7 first: Bouncy Castle's certificate factory would return just the first certificate of one.
        try {
            return fromPkcs7(new CMSSignedData(content));
        } catch (CMSException | RuntimeException notPkcs7) {
            try {
                X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509", BouncyCastle.provider())
                        .generateCertificate(new ByteArrayInputStream(content));
                if (certificate != null) {
                    return List.of(certificate);
                }
            } catch (CertificateException | RuntimeException notACertificate) {
                // Falls through to the answer below.
            }
            throw new GeneralSecurityException("not a PEM or DER certificate, nor a PKCS#7 chain");
        }
    }

    private static List<X509Certificate> readPem(String text) throws GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider());
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                } else if (object instanceof org.bouncycastle.asn1.cms.ContentInfo info) {
                    certificates.addAll(fromPkcs7(new CMSSignedData(info)));
                }
            }
        } catch (IOException | CMSException e) {
            throw new GeneralSecurityException("unreadable PEM: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("the PEM text holds no certificate");
        }
        return certificates;
    }

    private static List<X509Certificate> fromPkcs7(CMSSignedData signedData) throws GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider());
        for (X509CertificateHolder holder : signedData.getCertificates().getMatches(null)) {
            certificates.add(converter.getCertificate(holder));
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("the PKCS#7 structure holds no certificate");
        }
        return certificates;
    }

    public static String toPem(Collection<?> objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    static void writeAtomically(Path target, byte[] content, String permissions) throws IOException {
        SecretFiles.write(target, content, PosixFilePermissions.fromString(permissions));
    }
}
