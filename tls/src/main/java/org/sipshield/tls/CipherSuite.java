package org.sipshield.tls;

import java.util.Objects;

/**
 * One cipher suite as both naming worlds know it: the IANA / JSSE name that
 * Bouncy Castle enables, and the OpenSSL name operators write in cipher strings. The remaining
 * fields are the OpenSSL attributes that cipher-string aliases select on.
 *
 * @param ianaName    e.g. TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
 * @param opensslName e.g. ECDHE-RSA-AES256-GCM-SHA384
 * @param minimumProtocol the oldest protocol the suite works with: SSLv3, TLSv1 or TLSv1.2; TLSv1.3
 *                        for the TLS 1.3 suites, which work with nothing else
 * @param keyExchange RSA, ECDH (ephemeral) or DH (ephemeral), as OpenSSL prints them
 * @param authentication RSA, ECDSA, DSS, None, or any (TLS 1.3: the certificate decides)
 * @param encryption AESGCM, AESCCM, AESCCM8, AES, Camellia, ARIAGCM, CHACHA20/POLY1305, 3DES or None
 * @param bits symmetric key strength (0 for NULL encryption)
 * @param mac AEAD, SHA1, SHA256 or SHA384
 */
public record CipherSuite(String ianaName, String opensslName, String minimumProtocol, String keyExchange,
        String authentication, String encryption, int bits, String mac) {

    public CipherSuite {
        Objects.requireNonNull(ianaName, "ianaName");
        Objects.requireNonNull(opensslName, "opensslName");
    }

    public boolean isNullEncryption() {
        return "None".equals(encryption);
    }

    public boolean isAnonymous() {
        return "None".equals(authentication);
    }

    /** A TLS 1.3 suite: negotiated by TLS 1.3 only, and TLS 1.3 by nothing else. */
    public boolean isTls13() {
        return "TLSv1.3".equals(minimumProtocol);
    }

    /** Whether this suite can be negotiated at the given protocol version. */
    public boolean worksWith(TlsVersion version) {
        if (isTls13() || version == TlsVersion.TLS_1_3) {
            return isTls13() && version == TlsVersion.TLS_1_3;
        }
        return !"TLSv1.2".equals(minimumProtocol) || version == TlsVersion.TLS_1_2;
    }

    @Override
    public String toString() {
        return ianaName;
    }
}
