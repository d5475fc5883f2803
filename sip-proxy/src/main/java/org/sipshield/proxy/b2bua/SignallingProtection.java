package org.sipshield.proxy.b2bua;

import org.sipshield.config.Transport;
import org.sipshield.tls.TlsProtection;
import org.sipshield.tls.TlsPolicy;

/** How a leg's SIP signalling is protected, as negotiated on its connection. */
public enum SignallingProtection {
    /** UDP or TCP: anybody on the path reads and changes it. */
    NONE,
    /** TLS with a NULL suite: authenticated and integrity-protected, readable (the Authenticated mode). */
    INTEGRITY,
    /** TLS with an encrypting suite. */
    ENCRYPTION;

    /** From the leg's transport and, on TLS, the negotiated suite (null when unknown: the weakest TLS reading). */
    public static SignallingProtection of(Transport transport, String cipherSuite) {
        if (transport != Transport.TLS) {
            return NONE;
        }
        return cipherSuite != null && TlsPolicy.suiteProvides(cipherSuite, TlsProtection.ENCRYPTION) ? ENCRYPTION
                : INTEGRITY;
    }
}
