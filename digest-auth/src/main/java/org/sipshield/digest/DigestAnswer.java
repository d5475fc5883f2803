package org.sipshield.digest;

import java.util.Optional;

/**
 * The client's answer to a 401/407: either a credentials header value to resend the request
 * with, or why there is none. Keep an ANSWERED one with the resent request and pass it back as
 * {@code previous} if that request is challenged again: that is how the client refuses to loop.
 */
public final class DigestAnswer {

    /** Why the client did or did not answer. */
    public enum Status {
        /** {@link #headerValue()} holds the Authorization / Proxy-Authorization value. */
        ANSWERED,
        /** No credentials for any offered realm: pass the 401/407 on. */
        NO_CREDENTIALS,
        /** No challenge with an algorithm and qop we implement. */
        NO_SUPPORTED_CHALLENGE,
        /** Every challenge header was unparseable. */
        MALFORMED,
        /** Our answer to this challenge was refused already (not stale): do not retry. */
        ALREADY_ANSWERED
    }

    private final Status status;
    private final DigestHeaderKind kind;
    private final DigestChallenge challenge;
    private final DigestAuthorization authorization;
    private final boolean staleRetry;

    DigestAnswer(Status status, DigestHeaderKind kind, DigestChallenge challenge, DigestAuthorization authorization,
                 boolean staleRetry) {
        this.status = status;
        this.kind = kind;
        this.challenge = challenge;
        this.authorization = authorization;
        this.staleRetry = staleRetry;
    }

    public Status status() {
        return status;
    }

    public boolean answered() {
        return status == Status.ANSWERED;
    }

    /** The header to add: Authorization for a 401, Proxy-Authorization for a 407. */
    public String headerName() {
        return kind.credentialsHeader();
    }

    /** The header value when ANSWERED. */
    public Optional<String> headerValue() {
        return Optional.ofNullable(authorization).map(DigestAuthorization::toHeaderValue);
    }

    /** The challenge that was answered, or the one that was not (ALREADY_ANSWERED). */
    public Optional<DigestChallenge> challenge() {
        return Optional.ofNullable(challenge);
    }

    Optional<DigestAuthorization> authorization() {
        return Optional.ofNullable(authorization);
    }

    DigestHeaderKind kind() {
        return kind;
    }

    boolean staleRetry() {
        return staleRetry;
    }

    @Override
    public String toString() {
        return "DigestAnswer[" + status + (challenge != null ? ", realm=" + challenge.realm() : "")
                + (authorization != null ? ", algorithm=" + authorization.algorithm().map(DigestAlgorithm::token).orElse("?")
                + ", nc=" + authorization.nc().orElse("-") : "") + "]";
    }
}
