package org.sipshield.proxy.pipeline;

import java.util.Set;

/** The SIP methods sipshield knows of, serves, and routes through the B2BUA. */
public final class SipMethods {
    /** Methods of RFC 3261 and its extensions: known to us. */
    public static final Set<String> KNOWN = Set.of("INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS",
            "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE");

    /** Out-of-dialog requests that are routed to a target (INVITE as a call, the others relayed). */
    public static final Set<String> ROUTED = Set.of("INVITE", "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "INFO", "PUBLISH");

    /** What this build answers or relays; the Allow header lists these. */
    public static final Set<String> SERVED = Set.of("INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS",
            "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "INFO", "PUBLISH", "UPDATE");

    /** Option tags a request may Require: Replaces is mapped between legs; 100rel, timer and others are not implemented. */
    public static final Set<String> SUPPORTED_EXTENSIONS = Set.of("replaces");

    private SipMethods() {}

    public static String allowHeaderValue() {
        return String.join(", ", SERVED.stream().sorted().toList());
    }
}
