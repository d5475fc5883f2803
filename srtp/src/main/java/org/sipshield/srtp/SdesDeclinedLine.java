package org.sipshield.srtp;

import java.util.Optional;

/** An offered a=crypto line the answerer did not take, and why. No key material. */
public final class SdesDeclinedLine {
    private final Optional<Integer> tag;
    private final SdesRejection reason;
    private final String detail;

    SdesDeclinedLine(Optional<Integer> tag, SdesRejection reason, String detail) {
        this.tag = tag;
        this.reason = reason;
        this.detail = detail;
    }

    public Optional<Integer> tag() {
        return tag;
    }

    public SdesRejection reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return "declined a=crypto" + tag.map(t -> ":" + t).orElse("") + " " + reason + ": " + detail;
    }
}
