package org.sipshield.tls;

import java.time.Duration;
import java.time.Instant;

/**
 * One certificate close to (or past) its expiry, as the monitor reports it.
 *
 * @param certificate which one: "sip", "https", "sip-trust/&lt;id&gt;", "https-trust/&lt;id&gt;"
 */
public record ExpiryWarning(String certificate, String subject, Instant notAfter, Duration remaining) {
    public boolean expired() {
        return remaining.isNegative() || remaining.isZero();
    }

    /** Whole days left, rounded down; negative once expired. */
    public long daysRemaining() {
        return Math.floorDiv(remaining.toSeconds(), 86_400);
    }

    public String message() {
        return expired()
                ? "certificate " + certificate + " (" + subject + ") expired on " + notAfter
                : "certificate " + certificate + " (" + subject + ") expires on " + notAfter + ", in "
                        + daysRemaining() + " days " + remaining.toHoursPart() + " hours";
    }
}
