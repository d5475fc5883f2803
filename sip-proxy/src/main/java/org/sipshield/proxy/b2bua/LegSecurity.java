package org.sipshield.proxy.b2bua;

/**
 * The reference's security status of one call leg and of a call: encrypted when the leg has TLS
 * signaling and SRTP media, authenticated when TLS without SRTP, otherwise not authenticated.
 * A call is as secure as its weakest leg.
 */
public enum LegSecurity {
    NOT_AUTHENTICATED("Not-Authenticated"),
    AUTHENTICATED("Authenticated"),
    ENCRYPTED("Encrypted");

    private final String label;

    LegSecurity(String label) {
        this.label = label;
    }

    /** As sent in the Call-ID security parameter and logged. */
    public String label() {
        return label;
    }

    public static LegSecurity of(boolean tlsSignaling, boolean srtpMedia) {
        if (!tlsSignaling) {
            return NOT_AUTHENTICATED;
        }
        return srtpMedia ? ENCRYPTED : AUTHENTICATED;
    }

    public static LegSecurity weakest(LegSecurity a, LegSecurity b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
