package org.sipshield.digest;

/**
 * A digest header that could not be parsed. The message names what is wrong and where, never
 * a parameter value (a value could be a response digest or attacker-controlled bytes).
 */
public final class DigestParseException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a header was refused. */
    public enum Reason {
        EMPTY,
        TOO_LONG,
        NOT_DIGEST_SCHEME,
        BAD_PARAMETER_NAME,
        MISSING_EQUALS,
        UNTERMINATED_QUOTED_STRING,
        BAD_ESCAPE,
        BAD_CHARACTER,
        EMPTY_VALUE,
        EXPECTED_COMMA,
        TOO_MANY_PARAMETERS,
        VALUE_TOO_LONG,
        DUPLICATE_PARAMETER,
        MISSING_PARAMETER,
        INVALID_PARAMETER_VALUE
    }

    private final Reason reason;
    private final int position;

    DigestParseException(Reason reason, int position, String detail) {
        super(reason + (position >= 0 ? " at offset " + position : "") + ": " + detail);
        this.reason = reason;
        this.position = position;
    }

    public Reason reason() {
        return reason;
    }

    /** Character offset in the header value where the problem was found, or -1. */
    public int position() {
        return position;
    }
}
