package org.sipshield.config;

/**
 * RFC 4028 session timers, applied on each leg of a call on its own.
 *
 * @param enabled        false: no Session-Expires is asked for and none is enforced (a peer's own
 *                       refreshes are still relayed)
 * @param sessionExpires the interval asked for on each leg, in seconds
 * @param minSE          the shortest interval accepted from a peer (smaller: 422 with our Min-SE)
 */
public record SessionTimerSettings(boolean enabled, int sessionExpires, int minSE) {
    /** RFC 4028 section 4: nobody may ask for less than 90 s. */
    public static final int RFC_MIN_SE = 90;
    public static final int DEFAULT_SESSION_EXPIRES = 1800;
    public static final SessionTimerSettings DEFAULT = new SessionTimerSettings(true, DEFAULT_SESSION_EXPIRES, RFC_MIN_SE);

    static SessionTimerSettings read(YamlMapping m, java.util.List<String> warnings) {
        boolean enabled = m.bool("enabled", true);
        int expires = m.integer("sessionExpires", DEFAULT_SESSION_EXPIRES, 1, 86400);
        // below 90 s only for tests: the range allows it, a warning says it breaks RFC 4028
        int minSE = m.integer("minSE", RFC_MIN_SE, 1, 86400);
        if (expires < minSE) {
            m.problem("sessionExpires", expires + " is below minSE " + minSE, "sessionExpires >= minSE");
        }
        if (minSE < RFC_MIN_SE) {
            warnings.add(m.path() + ".minSE: " + minSE + " s is below RFC 4028's minimum of 90 s: for tests only");
        }
        m.finish();
        return new SessionTimerSettings(enabled, expires, minSE);
    }
}
