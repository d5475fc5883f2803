package org.sipshield.tls;

/**
 * How much a TLS connection protects: the tls module's own word for the two TLS device security
 * modes of the reference (Authenticated, Encrypted). Non Secure uses no TLS and so has no value here.
 */
public enum TlsProtection {
    /** Integrity and authentication, no encryption: TLS with the NULL-SHA suites only. */
    INTEGRITY,
    /** Integrity, authentication and signaling encryption: the configured encrypting suites. */
    ENCRYPTION
}
