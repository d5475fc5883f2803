package org.sipshield.srtp;

/** Why an a=crypto line was refused. The detail text that comes with it never contains key material. */
public enum SdesRejection {
    /** Not an a=crypto line by the RFC 4568 grammar. */
    MALFORMED,
    /** A crypto-suite sipshield does not implement. */
    UNSUPPORTED_CRYPTO_SUITE,
    /** A suite sipshield implements but the SRTP Ciphers policy does not allow. */
    NOT_ALLOWED_BY_POLICY,
    /** A key method other than "inline". */
    UNSUPPORTED_KEY_METHOD,
    /** The inline key||salt is not base64. */
    BAD_KEY_ENCODING,
    /** The inline key||salt has the wrong length for the suite. */
    BAD_KEY_LENGTH,
    /** The lifetime is not 2^n or a decimal within the SRTP limit. */
    BAD_LIFETIME,
    /** The MKI is not value:length with a length of 1..128 octets the value fits in. */
    BAD_MKI,
    /** Several master keys (MKI-selected) in one line: not supported. */
    MULTIPLE_MASTER_KEYS,
    /** A session parameter that would weaken security (UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP). */
    WEAKENING_SESSION_PARAM,
    /** A session parameter we understand but do not implement (KDR, FEC_KEY). */
    UNSUPPORTED_SESSION_PARAM,
    /** A mandatory session parameter we do not know. */
    UNKNOWN_SESSION_PARAM
}
