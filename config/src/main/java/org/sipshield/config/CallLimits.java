package org.sipshield.config;

import java.util.List;

/**
 * Limits on one trunk's or one phone's calls (a phone profile's limits apply to each phone using
 * it, not to the profile as a whole): how long a call may last and how many may be admitted. Zero
 * means no limit, so a configuration that names none of these behaves as before.
 *
 * @param maxCallDurationSeconds  an answered call is ended with BYE on both legs after this long
 * @param maxConcurrentCallsIn    calls from this peer up at once (answered or not)
 * @param maxConcurrentCallsOut   calls to this peer up at once
 * @param callsPerSecond          sustained rate of new calls from this peer
 * @param callBurst               how many new calls it may place at once above that rate
 * @param trustedAddresses        trunk only: source addresses the per-source flood limiter never throttles
 */
public record CallLimits(int maxCallDurationSeconds, int maxConcurrentCallsIn, int maxConcurrentCallsOut,
        int callsPerSecond, int callBurst, List<String> trustedAddresses) {
    public static final CallLimits NONE = new CallLimits(0, 0, 0, 0, 0, List.of());

    public CallLimits {
        trustedAddresses = List.copyOf(trustedAddresses);
    }

    /** Reads the limit keys of a trunk or phone profile mapping; trusted addresses only where allowed. */
    static CallLimits read(YamlMapping m, boolean trunk) {
        int duration = m.integer("maxCallDuration", 0, 0, 31 * 86400);
        int in = m.integer("maxConcurrentCallsIn", 0, 0, 1_000_000);
        int out = m.integer("maxConcurrentCallsOut", 0, 0, 1_000_000);
        int rate = m.integer("callsPerSecond", 0, 0, 100_000);
        int burst = m.integer("callBurst", rate, 0, 1_000_000);
        if (rate == 0 && burst > 0) {
            m.problem("callBurst", "a burst without callsPerSecond limits nothing", "callsPerSecond >= 1, or no callBurst");
        } else if (rate > 0 && burst < 1) {
            m.problem("callBurst", "0 admits no call at all", "at least 1 (default: callsPerSecond)");
        }
        List<String> trusted = trunk ? m.list("trustedAddresses", CallLimits::address) : List.of();
        return new CallLimits(duration, in, out, rate, burst, trusted);
    }

    private static String address(YamlMapping.Element element) {
        String text = element.node() instanceof org.yaml.snakeyaml.nodes.ScalarNode s ? s.getValue().trim() : "";
        // literal addresses only: a name would need DNS, and a trust decision must not depend on it
        if (!text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:]{2,39}")
                || text.equals("0.0.0.0") || text.equals("::")) {
            element.problem("'" + text + "' is not an IP address", "a literal IPv4 or IPv6 address of the trunk's peer");
            return null;
        }
        return text;
    }
}
