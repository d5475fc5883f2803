package org.sipshield.proxy.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What a pipeline step decided: let the request go on, answer it now with a status (and
 * headers, e.g. a challenge), or drop it silently.
 */
public record Verdict(Kind kind, int status, String reason, List<Map.Entry<String, String>> headers) {
    public enum Kind {
        CONTINUE, RESPOND, DROP
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

    /** reason is for the log only: a dropped request gets no answer at all. */
    public static Verdict drop(String reason) {
        return new Verdict(Kind.DROP, 0, reason, List.of());
    }

    public boolean proceeds() {
        return kind == Kind.CONTINUE;
    }
}
