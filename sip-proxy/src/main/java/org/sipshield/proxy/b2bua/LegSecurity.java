package org.sipshield.proxy.b2bua;

/**
 * The reference's call security status, of one leg and of a call (its weakest leg), as the
 * reference's SIP line messaging sends it ({@code Call-Info: <urn:X-cisco-remotecc:callinfo>;security=...}):
 * <ul>
 * <li>Encrypted: TLS with an encrypting suite and SRTP media;</li>
 * <li>Authenticated: a phone leg on TLS without SRTP, or any leg whose TLS suite does not encrypt
 * (NULL-SHA), SRTP or not: keys sent over readable signalling protect nothing;</li>
 * <li>NotAuthenticated: UDP or TCP signalling, and a trunk leg on TLS without SRTP (the guide: a
 * trunk's authentication shows only with its media encrypted).</li>
 * </ul>
 */
public enum LegSecurity {
    NOT_AUTHENTICATED("NotAuthenticated"),
    AUTHENTICATED("Authenticated"),
    ENCRYPTED("Encrypted");

    private final String label;

    LegSecurity(String label) {
        this.label = label;
    }

    /** As sent in the Call-Info security parameter and logged. */
    public String label() {
        return label;
    }

    /**
     * @param signalling how the leg's SIP is protected
     * @param srtpMedia  the leg's media is SRTP, as last negotiated
     * @param trunk      the leg's peer is a trunk (not a phone or voicemail port)
     */
    public static LegSecurity of(SignallingProtection signalling, boolean srtpMedia, boolean trunk) {
        return switch (signalling) {
            case NONE -> NOT_AUTHENTICATED;
            case INTEGRITY -> trunk && !srtpMedia ? NOT_AUTHENTICATED : AUTHENTICATED;
            case ENCRYPTION -> srtpMedia ? ENCRYPTED : trunk ? NOT_AUTHENTICATED : AUTHENTICATED;
        };
    }

    public static LegSecurity weakest(LegSecurity a, LegSecurity b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
