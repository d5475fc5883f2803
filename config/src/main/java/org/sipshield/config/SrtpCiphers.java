package org.sipshield.config;

/** The reference guide's "SRTP Ciphers" enterprise option: which SRTP crypto suites may be negotiated. */
public enum SrtpCiphers {
    /** AEAD AES-256 GCM only. */
    STRONGEST,
    /** AEAD AES-256 and AES-128 GCM only. */
    MEDIUM,
    /** GCM first, then AES-256-CM, then AES_CM_128 with 80-bit before 32-bit tags. */
    ALL
}
