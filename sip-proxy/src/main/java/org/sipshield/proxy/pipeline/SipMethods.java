package org.sipshield.proxy.pipeline;

import java.util.Set;

/** The SIP methods sipshield knows of, and those it serves so far. */
public final class SipMethods {
    /** Methods of RFC 3261 and its extensions: known to us, so 405 (not 501) when not served. */
    public static final Set<String> KNOWN = Set.of("INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS",
            "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE");

    /** What this build answers; the Allow header lists these. */
    public static final Set<String> SERVED = Set.of("OPTIONS");

    private SipMethods() {}

    public static String allowHeaderValue() {
        return String.join(", ", SERVED.stream().sorted().toList());
    }
}
