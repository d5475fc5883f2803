package org.sipshield.digest;

import java.util.Optional;

/** What the verifier concluded about a request's digest credentials. */
public enum DigestOutcome {
    /** Credentials valid, nonce fresh, nc new: let the request through. */
    OK("ok", null),
    /** No credentials for our realm: a normal first request; challenge it, count nothing. */
    NO_CREDENTIALS("no-credentials", null),
    /**
     * Right credentials on an expired nonce (or one the replay tracker had to forget):
     * rechallenge with {@code stale=true} so the client retries without doubting its password.
     */
    STALE("stale-nonce", null),
    /** Unknown user or wrong password; deliberately one outcome. Counted by the brute-force guard. */
    BAD_CREDENTIALS("bad-credentials", SecurityEvent.Type.DIGEST_AUTH_FAILURE),
    /**
     * Right credentials for another Request-URI (RFC 7616 3.4.6): a captured Authorization sent
     * to another target. Counted like a wrong password: only someone replaying does this.
     */
    URI_MISMATCH("uri-mismatch", SecurityEvent.Type.DIGEST_AUTH_FAILURE),
    /** A nonce count already used with this nonce (a replayed or duplicated request). */
    REPLAY("replay", SecurityEvent.Type.DIGEST_AUTH_REJECTED),
    /** A nonce we did not sign, signed for another source/Call-ID, or a foreign opaque. */
    NONCE_INVALID("invalid-nonce", SecurityEvent.Type.DIGEST_AUTH_REJECTED),
    /** The credentials header could not be parsed or is inconsistent. */
    MALFORMED("malformed", SecurityEvent.Type.DIGEST_AUTH_REJECTED),
    /** Credentials present, but none for our realm. */
    REALM_MISMATCH("realm-mismatch", SecurityEvent.Type.DIGEST_AUTH_REJECTED),
    /** An algorithm this realm's policy does not allow (or one we do not implement). */
    ALGORITHM_NOT_ALLOWED("algorithm-not-allowed", SecurityEvent.Type.DIGEST_AUTH_REJECTED),
    /** An RFC 2069 (no qop) answer where the policy requires qop. */
    NO_QOP_NOT_ALLOWED("no-qop-not-allowed", SecurityEvent.Type.DIGEST_AUTH_REJECTED);

    private final String reasonToken;
    private final SecurityEvent.Type eventType;

    DigestOutcome(String reasonToken, SecurityEvent.Type eventType) {
        this.reasonToken = reasonToken;
        this.eventType = eventType;
    }

    /** The {@code reason=} value in security event lines: lower-case letters and dashes. */
    public String reasonToken() {
        return reasonToken;
    }

    /** The security event this outcome raises, if any. */
    public Optional<SecurityEvent.Type> securityEventType() {
        return Optional.ofNullable(eventType);
    }

    /** Whether the brute-force guard should count this as a failed attempt. */
    public boolean countsAsFailedAttempt() {
        return this == BAD_CREDENTIALS || this == URI_MISMATCH;
    }
}
