package org.sipshield.tls;

/** Which interface a certificate identity or trust store serves, as the reference names them. */
public enum CertificatePurpose {
    /** SIP over TLS (the reference's CallManager / SIP certificate). */
    SIP("sip"),
    /** The HTTPS admin interface (the reference's tomcat certificate). */
    HTTPS("https");

    private final String fileStem;

    CertificatePurpose(String fileStem) {
        this.fileStem = fileStem;
    }

    /** The stem of this identity's files in the data directory's certs/ folder. */
    public String fileStem() {
        return fileStem;
    }
}
