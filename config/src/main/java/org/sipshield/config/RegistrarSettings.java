package org.sipshield.config;

/**
 * How the registrar treats REGISTER intervals and contacts (RFC 3261 section 10.3). The one
 * record of these limits: the loader reports a bad value as a config problem, and the record
 * refuses to exist with one, so a registrar built in code (tests) obeys the same limits.
 *
 * @param minExpires         a shorter requested interval (other than 0) gets 423 Interval Too Brief
 * @param maxExpires         a longer requested interval is shortened to this
 * @param defaultExpires     granted when neither the Contact nor the request states an interval
 * @param maxContactsPerLine contacts one line may hold at once; a new one replaces the oldest
 */
public record RegistrarSettings(int minExpires, int maxExpires, int defaultExpires, int maxContactsPerLine) {
    /** The longest interval any of the three may name, in seconds (one day). */
    public static final int MAX_INTERVAL = 86400;
    /** Each contact is a binding row and an index entry: a line holds a handful, not a crowd. */
    public static final int MAX_CONTACTS_PER_LINE = 16;

    public RegistrarSettings {
        if (minExpires < 1 || maxExpires > MAX_INTERVAL) {
            throw new IllegalArgumentException("registrar intervals must lie in 1.." + MAX_INTERVAL
                    + ", not " + minExpires + ".." + maxExpires);
        }
        if (minExpires > maxExpires) {
            throw new IllegalArgumentException("minExpires " + minExpires + " is above maxExpires " + maxExpires);
        }
        if (defaultExpires < minExpires || defaultExpires > maxExpires) {
            throw new IllegalArgumentException("defaultExpires " + defaultExpires + " is outside " + minExpires + ".." + maxExpires);
        }
        if (maxContactsPerLine < 1 || maxContactsPerLine > MAX_CONTACTS_PER_LINE) {
            throw new IllegalArgumentException("maxContactsPerLine must be 1.." + MAX_CONTACTS_PER_LINE + ", not " + maxContactsPerLine);
        }
    }

    /** min 60 s, max 3600 s, default 3600 s, one contact per line: a new contact replaces the old one. */
    public static RegistrarSettings defaults() {
        return new RegistrarSettings(60, 3600, 3600, 1);
    }
}
