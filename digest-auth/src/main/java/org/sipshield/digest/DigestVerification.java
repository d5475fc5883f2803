package org.sipshield.digest;

import java.util.List;
import java.util.Optional;

/**
 * The verifier's answer: an outcome, the identity when it is {@link DigestOutcome#OK}, and
 * otherwise the challenges to send back (401/407), with {@code stale=true} where the outcome
 * calls for it. Unknown user and wrong password produce the same outcome and challenges.
 */
public final class DigestVerification {

    private final DigestOutcome outcome;
    private final String username;
    private final String claimedUser;
    private final List<DigestChallenge> challenges;
    private final SecurityEvent securityEvent;
    private final DigestParseException.Reason parseError;

    DigestVerification(DigestOutcome outcome, String username, String claimedUser, List<DigestChallenge> challenges,
                       SecurityEvent securityEvent, DigestParseException.Reason parseError) {
        this.outcome = outcome;
        this.username = username;
        this.claimedUser = claimedUser;
        this.challenges = List.copyOf(challenges);
        this.securityEvent = securityEvent;
        this.parseError = parseError;
    }

    public DigestOutcome outcome() {
        return outcome;
    }

    public boolean isAuthenticated() {
        return outcome == DigestOutcome.OK;
    }

    /** The authenticated user name (resolved from a userhash if one was sent); empty unless OK. */
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(username);
    }

    /**
     * The user the client claimed to be (as sent, or resolved from its userhash): the key for the
     * brute-force guard. Empty when the header could not be parsed.
     */
    public String claimedUser() {
        return claimedUser;
    }

    /** The challenges to send, in preference order; empty when OK. */
    public List<DigestChallenge> challenges() {
        return challenges;
    }

    /** The security event to log, if the outcome is one. */
    public Optional<SecurityEvent> securityEvent() {
        return Optional.ofNullable(securityEvent);
    }

    /** For MALFORMED: what the parser refused. */
    public Optional<DigestParseException.Reason> parseError() {
        return Optional.ofNullable(parseError);
    }

    @Override
    public String toString() {
        return "DigestVerification[" + outcome + (username != null ? ", user=" + username : "")
                + (parseError != null ? ", " + parseError : "") + "]";
    }
}
