package org.sipshield.digest;

import static org.sipshield.digest.DigestParseException.Reason.*;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The auth-params of one {@code Digest} challenge or credentials header value (RFC 7616 section
 * 3.3/3.4, RFC 3261 section 25.1 grammar): names are case-insensitive tokens, values are tokens
 * or quoted-strings with backslash escapes. A parameter given twice is refused rather than
 * guessed at: two parsers picking different copies is how authentication bypasses happen.
 */
final class DigestParams {

    /** Longest header value we parse; real ones are a few hundred characters. */
    static final int MAX_HEADER_LENGTH = 8192;
    static final int MAX_PARAMETERS = 32;
    static final int MAX_VALUE_LENGTH = 1024;
    private static final String SCHEME = "digest";

    private final Map<String, String> values;

    private DigestParams(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    Map<String, String> asMap() {
        return values;
    }

    static DigestParams parse(String header) throws DigestParseException {
        if (header == null || header.isBlank()) {
            throw new DigestParseException(EMPTY, -1, "no header value");
        }
        if (header.length() > MAX_HEADER_LENGTH) {
            throw new DigestParseException(TOO_LONG, MAX_HEADER_LENGTH,
                    "header longer than " + MAX_HEADER_LENGTH + " characters");
        }
        Cursor c = new Cursor(header);
        c.skipLws();
        int schemeStart = c.pos;
        while (!c.atEnd() && isTokenChar(c.peek())) {
            c.pos++;
        }
        String scheme = header.substring(schemeStart, c.pos);
        if (!scheme.toLowerCase(Locale.ROOT).equals(SCHEME)) {
            throw new DigestParseException(NOT_DIGEST_SCHEME, schemeStart, "scheme is not Digest");
        }
        if (c.atEnd() || !isLws(c.peek())) {
            throw new DigestParseException(NOT_DIGEST_SCHEME, c.pos, "no whitespace after Digest");
        }
        c.skipLws();
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            int nameStart = c.pos;
            String name = c.token().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new DigestParseException(BAD_PARAMETER_NAME, nameStart, "expected a parameter name");
            }
            c.skipLws();
            if (c.atEnd() || c.peek() != '=') {
                throw new DigestParseException(MISSING_EQUALS, c.pos, "expected '=' after a parameter name");
            }
            c.pos++;
            c.skipLws();
            String value;
            int valueStart = c.pos;
            if (!c.atEnd() && c.peek() == '"') {
                value = c.quotedString();
            } else {
                value = c.token();
                if (value.isEmpty()) {
                    throw new DigestParseException(c.atEnd() ? EMPTY_VALUE : BAD_CHARACTER, c.pos,
                            "expected a token or a quoted-string");
                }
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new DigestParseException(VALUE_TOO_LONG, valueStart,
                        "value longer than " + MAX_VALUE_LENGTH + " characters");
            }
            if (params.containsKey(name)) {
                throw new DigestParseException(DUPLICATE_PARAMETER, nameStart, "parameter given twice");
            }
            if (params.size() == MAX_PARAMETERS) {
                throw new DigestParseException(TOO_MANY_PARAMETERS, nameStart,
                        "more than " + MAX_PARAMETERS + " parameters");
            }
            params.put(name, value);
            c.skipLws();
            if (c.atEnd()) {
                break;
            }
            if (c.peek() != ',') {
                throw new DigestParseException(c.peek() < 0x20 || c.peek() == 0x7f ? BAD_CHARACTER : EXPECTED_COMMA,
                        c.pos, "expected ',' between parameters");
            }
            c.pos++;
            c.skipLws();
        }
        return new DigestParams(params);
    }

    /** RFC 3261 token characters. */
    static boolean isTokenChar(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                || "-.!%*_+`'~".indexOf(ch) >= 0;
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLws(char ch) {
        return ch == ' ' || ch == '\t';
    }

    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        char peek() {
            return s.charAt(pos);
        }

        /** Spaces, tabs, and folded lines (CRLF followed by whitespace, RFC 3261 LWS). */
        void skipLws() {
            while (!atEnd()) {
                char ch = peek();
                if (isLws(ch)) {
                    pos++;
                } else if (ch == '\r' && pos + 2 < s.length() && s.charAt(pos + 1) == '\n'
                        && isLws(s.charAt(pos + 2))) {
                    pos += 3;
                } else {
                    return;
                }
            }
        }

        String token() {
            int start = pos;
            while (!atEnd() && isTokenChar(peek())) {
                pos++;
            }
            return s.substring(start, pos);
        }

        String quotedString() throws DigestParseException {
            int start = pos;
            pos++; // opening quote
            StringBuilder out = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    throw new DigestParseException(UNTERMINATED_QUOTED_STRING, start, "no closing quote");
                }
                char ch = peek();
                if (ch == '"') {
                    pos++;
                    return out.toString();
                }
                if (ch == '\\') {
                    if (pos + 1 >= s.length()) {
                        throw new DigestParseException(UNTERMINATED_QUOTED_STRING, start, "no closing quote");
                    }
                    char escaped = s.charAt(pos + 1);
                    // RFC 3261 quoted-pair excludes CR and LF: an escaped line break is a forgery attempt.
                    if (escaped == '\r' || escaped == '\n' || escaped > 0x7f) {
                        throw new DigestParseException(BAD_ESCAPE, pos, "invalid quoted-pair");
                    }
                    out.append(escaped);
                    pos += 2;
                } else if (ch == '\r') {
                    int before = pos;
                    skipLws();
                    if (pos == before) {
                        throw new DigestParseException(BAD_CHARACTER, pos, "line break inside a quoted-string");
                    }
                    out.append(' ');
                } else if (ch == '\t' || (ch >= 0x20 && ch != 0x7f)) {
                    out.append(ch);
                    pos++;
                } else {
                    throw new DigestParseException(BAD_CHARACTER, pos, "control character inside a quoted-string");
                }
                if (out.length() > MAX_VALUE_LENGTH) {
                    throw new DigestParseException(VALUE_TOO_LONG, start,
                            "value longer than " + MAX_VALUE_LENGTH + " characters");
                }
            }
        }
    }

    /** Appends {@code name="value"} with backslash escapes for quote and backslash. */
    static void appendQuoted(StringBuilder sb, String name, String value) {
        sb.append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\');
            }
            sb.append(ch);
        }
        sb.append('"');
    }

    /** Refuses values that cannot be written into a header without forging another one. */
    static String requireHeaderSafe(String what, String value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is required");
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                throw new IllegalArgumentException(what + " contains a control character");
            }
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_VALUE_LENGTH);
        }
        return value;
    }
}
