package org.sipshield.tls;

/** Which interface a certificate identity or trust store serves, as the reference names them. */
public enum CertificatePurpose {
    /** SIP over TLS (the reference's CallManager / SIP certificate). */
    SIP("sip", "sip"),
    /**
     * The SIP TLS listener's second identity, an EC key (the reference's CallManager-ECDSA): served
     * beside the RSA one to clients whose chosen suite signs with ECDSA; it shares the sip trust store.
     */
    SIP_ECDSA("sip-ecdsa", "sip"),
    /** The HTTPS admin interface (the reference's tomcat certificate). */
    HTTPS("https", "https");

    private final String fileStem;
    private final String trustStem;

    CertificatePurpose(String fileStem, String trustStem) {
        this.fileStem = fileStem;
        this.trustStem = trustStem;
    }

    /** The trust store this identity's interface checks peers against ({@code sip} for both SIP identities). */
    public String trustStem() {
        return trustStem;
    }

    /** Whether this identity's key must be an EC key (the reference sets Key Type EC for CallManager-ECDSA). */
    public boolean requiresEcKey() {
        return this == SIP_ECDSA;
    }

    /** The stem of this identity's files in the data directory's certs/ folder. */
    public String fileStem() {
        return fileStem;
    }
}
