package org.sipshield.tls;

/** Whether a TLS server asks its clients for a certificate. */
public enum ClientAuth {
    /** No client certificate requested (e.g. the HTTPS admin interface with password login). */
    NONE,
    /** Requested; a client without one still connects and is then classified without a certificate. */
    WANT,
    /** Required: a client without a certificate that chains to the trust store is refused in the handshake. */
    NEED
}
