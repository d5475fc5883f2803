package org.sipshield.config;

/**
 * Proxy-wide defences that the reference leaves to the network.
 *
 * @param unknownSource         what a request from no known trunk or phone gets: 403, or silence
 * @param digestFailureLimit    failed digest attempts per source (and per source and user) in the window
 * @param digestFailureWindow   seconds of that window
 * @param digestBlockSeconds    cool-down of a source past the limit
 * @param blockedSource         what a blocked source gets: 403, or silence
 */
public record SecuritySettings(Rejection unknownSource, int digestFailureLimit, int digestFailureWindow,
        int digestBlockSeconds, Rejection blockedSource) {
    /** How a refused request is answered. */
    public enum Rejection {
        REJECT_403, DROP
    }
}
