package org.sipshield.config;

import java.util.Set;

/**
 * Proxy-wide defences that the reference leaves to the network.
 *
 * @param unknownSource         what a request from no known trunk or phone gets: 403, or silence
 * @param digestFailureLimit    failed digest attempts per source (and per source and user) in the window
 * @param digestFailureWindow   seconds of that window
 * @param digestBlockSeconds    cool-down of a source past the limit
 * @param blockedSource         what a blocked source gets: 403, or silence
 * @param requestsPerSecondPerSource  sustained rate of new requests one source address may send
 * @param requestBurstPerSource       how many it may send at once above that rate
 * @param overRequestLimit            what a request over the limit gets: silence, or 503 with Retry-After
 * @param rateLimitedSourcesTracked   how many source addresses the limiter remembers (least recent forgotten first)
 * @param challengeInDialog           the in-dialog methods challenged when the sending peer's profile enables digest
 *                                    (the guide says "all requests"; ACK and CANCEL never, RFC 3261 22.1)
 */
public record SecuritySettings(Rejection unknownSource, int digestFailureLimit, int digestFailureWindow,
        int digestBlockSeconds, Rejection blockedSource, int requestsPerSecondPerSource, int requestBurstPerSource,
        FloodAction overRequestLimit, int rateLimitedSourcesTracked, Set<String> challengeInDialog) {
    /** What is challenged in a dialog unless the operator says otherwise: ending, changing or transferring a call. */
    public static final Set<String> DEFAULT_CHALLENGE_IN_DIALOG = Set.of("BYE", "INVITE", "UPDATE", "REFER", "INFO");
    /** Methods that may be listed: every in-dialog request that can carry credentials. */
    public static final Set<String> CHALLENGEABLE_IN_DIALOG = Set.of("BYE", "INVITE", "UPDATE", "REFER", "INFO",
            "MESSAGE", "NOTIFY", "SUBSCRIBE", "PRACK", "OPTIONS");

    public SecuritySettings {
        challengeInDialog = Set.copyOf(challengeInDialog);
    }

    public static final int DEFAULT_REQUESTS_PER_SECOND_PER_SOURCE = 100;
    public static final int DEFAULT_REQUEST_BURST_PER_SOURCE = 400;
    public static final int DEFAULT_RATE_LIMITED_SOURCES_TRACKED = 65536;

    /** The settings with the request rate limit at its defaults. */
    public SecuritySettings(Rejection unknownSource, int digestFailureLimit, int digestFailureWindow,
            int digestBlockSeconds, Rejection blockedSource) {
        this(unknownSource, digestFailureLimit, digestFailureWindow, digestBlockSeconds, blockedSource,
                DEFAULT_REQUESTS_PER_SECOND_PER_SOURCE, DEFAULT_REQUEST_BURST_PER_SOURCE, FloodAction.DROP,
                DEFAULT_RATE_LIMITED_SOURCES_TRACKED, DEFAULT_CHALLENGE_IN_DIALOG);
    }

    /** How a refused request is answered. */
    public enum Rejection {
        REJECT_403, DROP
    }

    /** How a request over its source's rate limit is answered: silence costs a flood nothing, 503 tells a real peer to back off. */
    public enum FloodAction {
        DROP, REJECT_503
    }
}
