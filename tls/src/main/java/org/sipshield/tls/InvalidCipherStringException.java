package org.sipshield.tls;

/**
 * A cipher management string that cannot be used. The message shows the string and what is
 * wrong with it, so the config loader can print it as is.
 */
public final class InvalidCipherStringException extends IllegalArgumentException {
    private final String cipherString;
    private final String problem;
    private final String field;

    public InvalidCipherStringException(String cipherString, String problem) {
        this(cipherString, problem, null);
    }

    /** @param field the config field, e.g. sip-tls; null when not known */
    public InvalidCipherStringException(String cipherString, String problem, String field) {
        super((field == null ? "" : field + ": ") + "invalid cipher string '" + cipherString + "': " + problem);
        this.cipherString = cipherString;
        this.problem = problem;
        this.field = field;
    }

    /** all-tls, sip-tls or https-tls; null when parsed outside a policy. */
    public String field() {
        return field;
    }

    public String cipherString() {
        return cipherString;
    }

    /** What is wrong, without the string itself. */
    public String problem() {
        return problem;
    }
}
