package org.sipshield.digest;

/** Which pair of headers a challenge travels in (RFC 3261 sections 22.2 and 22.3). */
public enum DigestHeaderKind {
    /** We are the registrar/UAS: 401 Unauthorized, WWW-Authenticate, answered by Authorization. */
    WWW_AUTHENTICATE(401, "WWW-Authenticate", "Authorization"),
    /** We are a proxy: 407 Proxy Authentication Required, answered by Proxy-Authorization. */
    PROXY_AUTHENTICATE(407, "Proxy-Authenticate", "Proxy-Authorization");

    private final int statusCode;
    private final String challengeHeader;
    private final String credentialsHeader;

    DigestHeaderKind(int statusCode, String challengeHeader, String credentialsHeader) {
        this.statusCode = statusCode;
        this.challengeHeader = challengeHeader;
        this.credentialsHeader = credentialsHeader;
    }

    public int statusCode() {
        return statusCode;
    }

    public String challengeHeader() {
        return challengeHeader;
    }

    public String credentialsHeader() {
        return credentialsHeader;
    }

    /** The kind a 401 or 407 response carries; anything else is not a digest challenge. */
    public static DigestHeaderKind forStatus(int statusCode) {
        return switch (statusCode) {
            case 401 -> WWW_AUTHENTICATE;
            case 407 -> PROXY_AUTHENTICATE;
            default -> throw new IllegalArgumentException("status " + statusCode + " carries no digest challenge");
        };
    }
}
