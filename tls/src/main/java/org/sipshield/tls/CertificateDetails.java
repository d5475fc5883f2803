package org.sipshield.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What an operator sees of a certificate: subject, issuer, serial, validity, key, signature
 * algorithm, subject alternative names, and SHA-256 / SHA-512 fingerprints.
 */
public record CertificateDetails(String subject, String issuer, String serialNumber, Instant notBefore,
        Instant notAfter, String keyAlgorithm, int keySize, String keyDescription, String signatureAlgorithm,
        List<String> subjectAlternativeNames, String sha256Fingerprint, String sha512Fingerprint) {

    public static CertificateDetails of(X509Certificate certificate) {
        PublicKey key = certificate.getPublicKey();
        int size = keySize(key);
        String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
        String description = algorithm.equals("EC") ? "EC " + curveName(size) : algorithm + " " + size;
        return new CertificateDetails(certificate.getSubjectX500Principal().getName(),
                certificate.getIssuerX500Principal().getName(),
                colonHex(certificate.getSerialNumber().toByteArray()),
                certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
                algorithm, size, description, certificate.getSigAlgName(), subjectAlternativeNames(certificate),
                fingerprint(certificate, "SHA-256"), fingerprint(certificate, "SHA-512"));
    }

    /** Key size in bits: RSA/DSA modulus, EC field size. */
    public static int keySize(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return rsa.getModulus().bitLength();
        }
        if (key instanceof ECPublicKey ec) {
            return ec.getParams().getCurve().getField().getFieldSize();
        }
        if (key instanceof DSAPublicKey dsa) {
            return dsa.getParams().getP().bitLength();
        }
        return -1;
    }

    private static String curveName(int fieldSize) {
        return switch (fieldSize) {
            case 256 -> "P-256";
            case 384 -> "P-384";
            case 521 -> "P-521";
            default -> fieldSize + "-bit curve";
        };
    }

    public static String fingerprint(X509Certificate certificate, String digest) {
        try {
            return colonHex(MessageDigest.getInstance(digest).digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(digest + " is unavailable", e);
        }
    }

    static String colonHex(byte[] bytes) {
        String hex = HexFormat.of().withUpperCase().formatHex(bytes);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            text.append(i == 0 ? "" : ":").append(hex, i, i + 2);
        }
        return text.toString();
    }

    /** "DNS:name" and "IP:address" entries, in certificate order. */
    public static List<String> subjectAlternativeNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            if (entries != null) {
                for (List<?> entry : entries) {
                    int type = (Integer) entry.get(0);
                    if (type == 2) {
                        names.add("DNS:" + entry.get(1));
                    } else if (type == 7) {
                        names.add("IP:" + entry.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            names.add("(unreadable subjectAltName: " + e.getMessage() + ")");
        }
        return names;
    }

    /** Multi-line text for the CLI. */
    public String describe() {
        return String.format(Locale.ROOT, """
                subject:            %s
                issuer:             %s
                serial:             %s
                valid from:         %s
                valid until:        %s
                key:                %s
                signature:          %s
                subject alt names:  %s
                SHA-256 fingerprint: %s
                SHA-512 fingerprint: %s
                """, subject, issuer, serialNumber, notBefore, notAfter, keyDescription, signatureAlgorithm,
                subjectAlternativeNames.isEmpty() ? "(none)" : String.join(", ", subjectAlternativeNames),
                sha256Fingerprint, sha512Fingerprint);
    }
}
