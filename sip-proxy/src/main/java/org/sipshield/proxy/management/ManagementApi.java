package org.sipshield.proxy.management;

/** What the management listener serves, from the running proxy. */
public interface ManagementApi {
    /** A line of sipshield.security as it was logged; type: the word after "SECURITY ", or "other". */
    record SecurityEvent(java.time.Instant time, String level, String type, String text) {}

    /** Prometheus text exposition. */
    String metrics();

    /** Why the proxy is not ready to take new calls, or null when it is. */
    String notReadyBecause();

    /** What a ready proxy runs without (a cluster's shared counters down, counted locally), or null. */
    default String degradedBecause() {
        return null;
    }

    /**
     * Starts a drain (idempotent); who is for the log. Returns false when one was already under way.
     */
    boolean drain(String who);

    /** The JSON admin API's side of the proxy, or null before the proxy has started it. */
    AdminApi admin();

    /** The latest security events, newest first (a bounded ring: the status page's list). */
    java.util.List<SecurityEvent> securityEvents();
}
