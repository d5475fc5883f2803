package org.sipshield.config;

/** The reference's device security modes, for phones, trunks and voicemail ports. */
public enum DeviceSecurityMode {
    /** TCP or UDP signaling, no security features. */
    NON_SECURE("Non Secure"),
    /** TLS with integrity and authentication only (NULL-SHA suites): no signaling encryption. */
    AUTHENTICATED("Authenticated"),
    /** TLS with encryption; SRTP for media on every SRTP-capable hop. */
    ENCRYPTED("Encrypted");

    private final String label;

    DeviceSecurityMode(String label) {
        this.label = label;
    }

    /** As the reference and operators write it. */
    public String label() {
        return label;
    }

    public boolean isSecure() {
        return this != NON_SECURE;
    }
}
