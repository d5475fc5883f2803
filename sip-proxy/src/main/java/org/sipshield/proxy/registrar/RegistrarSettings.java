package org.sipshield.proxy.registrar;

/**
 * The registrar's limits.
 *
 * @param minExpiresSeconds     a shorter requested interval (other than 0) is refused with 423
 * @param maxExpiresSeconds     a longer requested interval is shortened to this
 * @param defaultExpiresSeconds granted when neither the Contact nor the request states an interval
 * @param maxContactsPerLine    contacts one line of one device may hold; the newest registrations win
 */
public record RegistrarSettings(int minExpiresSeconds, int maxExpiresSeconds, int defaultExpiresSeconds,
        int maxContactsPerLine) {
    public static final int DEFAULT_MIN_EXPIRES = 60;
    public static final int DEFAULT_MAX_EXPIRES = 3600;

    public RegistrarSettings {
        if (minExpiresSeconds < 1) {
            throw new IllegalArgumentException("minExpiresSeconds must be at least 1, not " + minExpiresSeconds);
        }
        if (maxExpiresSeconds < minExpiresSeconds) {
            throw new IllegalArgumentException("maxExpiresSeconds (" + maxExpiresSeconds
                    + ") must not be below minExpiresSeconds (" + minExpiresSeconds + ")");
        }
        if (defaultExpiresSeconds < minExpiresSeconds || defaultExpiresSeconds > maxExpiresSeconds) {
            throw new IllegalArgumentException("defaultExpiresSeconds (" + defaultExpiresSeconds
                    + ") must lie between minExpiresSeconds and maxExpiresSeconds");
        }
        if (maxContactsPerLine < 1 || maxContactsPerLine > 100) {
            throw new IllegalArgumentException("maxContactsPerLine must be 1..100, not " + maxContactsPerLine);
        }
    }

    /** min 60 s, max 3600 s, default 3600 s, one contact per line: a new contact replaces the old one. */
    public static RegistrarSettings defaults() {
        return new RegistrarSettings(DEFAULT_MIN_EXPIRES, DEFAULT_MAX_EXPIRES, DEFAULT_MAX_EXPIRES, 1);
    }
}
