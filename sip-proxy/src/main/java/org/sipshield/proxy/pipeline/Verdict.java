package org.sipshield.proxy.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What a pipeline step decided: let the request go on, answer it now with a status (and
 * headers, e.g. a challenge), or drop it silently.
 */
public record Verdict(Kind kind, int status, String reason, List<Map.Entry<String, String>> headers) {
    public enum Kind {
        /** Go on to the next step. */
        CONTINUE,
        /** Answer now; the transaction absorbs retransmissions of the request. */
        RESPOND,
        /**
         * Answer now and forget the transaction: a stranger's copy of someone else's request (same
         * Via branch) must not make the real request look like its retransmission.
         */
        RESPOND_AND_FORGET,
        /** No answer at all. */
        DROP
    }

    private static final Verdict CONTINUE = new Verdict(Kind.CONTINUE, 0, "", List.of());

    public static Verdict proceed() {
        return CONTINUE;
    }

    public static Verdict respond(int status, String reason) {
        return new Verdict(Kind.RESPOND, status, reason, List.of());
    }

    public static Verdict respond(int status, String reason, List<Map.Entry<String, String>> headers) {
        return new Verdict(Kind.RESPOND, status, reason, List.copyOf(headers));
    }

    /** An answer to a request that was not its sender's to make: see {@link Kind#RESPOND_AND_FORGET}. */
    public static Verdict refuseStranger(int status, String reason) {
        return new Verdict(Kind.RESPOND_AND_FORGET, status, reason, List.of());
    }

    /** reason is for the log only: a dropped request gets no answer at all. */
    public static Verdict drop(String reason) {
        return new Verdict(Kind.DROP, 0, reason, List.of());
    }

    public boolean proceeds() {
        return kind == Kind.CONTINUE;
    }
}
