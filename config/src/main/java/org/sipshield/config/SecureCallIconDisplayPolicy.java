package org.sipshield.config;

/** The reference's "Secure Call Icon Display Policy": which media streams decide a call is encrypted. */
public enum SecureCallIconDisplayPolicy {
    ALL_MEDIA_EXCEPT_BFCP_AND_IX("All media except BFCP and iX application streams must be encrypted"),
    ALL_MEDIA_EXCEPT_IX("All media except iX application streams must be encrypted"),
    ALL_MEDIA_EXCEPT_BFCP("All media except BFCP application streams must be encrypted"),
    ALL_MEDIA("All media in a session must be encrypted"),
    ONLY_AUDIO("Only Audio must be encrypted");

    private final String label;

    SecureCallIconDisplayPolicy(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
