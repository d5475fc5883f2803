package org.sipshield.tls;

/**
 * The TLS device security modes of phone and trunk security profiles (the reference's third
 * mode, Non Secure, uses no TLS and so never reaches this module).
 */
public enum DeviceSecurityMode {
    /** Integrity and authentication, no encryption: TLS with the NULL-SHA suites only. */
    AUTHENTICATED,
    /** Integrity, authentication and signaling encryption: the configured encrypting suites. */
    ENCRYPTED
}
