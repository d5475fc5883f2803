package org.sipshield.proxy.screening;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Header syntax jain-sip's parser forgives but RFC 4475 3.1.2 names as invalid, each answered
 * 400 (the RFC allows the liberal reading too; a security proxy does not guess what a peer meant,
 * since the next hop may guess otherwise): spaces inside the &lt;&gt; of an addr-spec (3.1.2.14),
 * an unquoted display name that is not tokens (3.1.2.15), a URI with headers outside &lt;&gt;
 * (3.1.2.13), a quoted string left open (3.1.2.6), a Date not in GMT (3.1.2.12).
 */
final class HeaderSyntaxRules {
    /** RFC 3261 25.1 token characters, and the whitespace between tokens of a display name. */
    private static final Pattern TOKENS = Pattern.compile("[A-Za-z0-9.!%*_+`'~\\-\\s]*");
    /** RFC 3261 20.17: rfc1123-date, and GMT only. */
    private static final Pattern DATE = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");

    private HeaderSyntaxRules() {}

    /** Empty when the request's headers may go on to the parser. */
    static Optional<Rejection> check(RawHeaders headers) {
        for (RawHeaders.Field field : headers.fields()) {
            String name = field.canonicalName();
            Optional<Rejection> rejection = switch (name) {
                case "from" -> address("From", field.value(), true);
                case "to" -> address("To", field.value(), true);
                case "contact" -> address("Contact", field.value(), false);
                case "date" -> DATE.matcher(field.value()).matches() ? Optional.empty()
                        : Optional.of(Rejection.badRequest("Date not an RFC 1123 date in GMT"));
                default -> Optional.empty();
            };
            if (rejection.isPresent()) {
                return rejection;
            }
        }
        return Optional.empty();
    }

    /** One name-addr / addr-spec header; From and To hold one address, so their display name can be judged. */
    private static Optional<Rejection> address(String header, String value, boolean single) {
        String unquoted = withoutQuotedStrings(value);
        if (unquoted == null) {
            return Optional.of(Rejection.badRequest("unterminated quoted string in " + header));
        }
        int open = unquoted.indexOf('<');
        if (open < 0) {
            // addr-spec form: a '?' would start URI headers, which only a name-addr may carry (RFC 3261 20.10)
            return unquoted.indexOf('?') < 0 ? Optional.empty()
                    : Optional.of(Rejection.badRequest(header + " URI with headers outside <>"));
        }
        int close = unquoted.indexOf('>', open);
        if (close < 0) {
            return Optional.of(Rejection.badRequest("unclosed <> in " + header));
        }
        if (close == open + 1 || Character.isWhitespace(unquoted.charAt(open + 1))
                || Character.isWhitespace(unquoted.charAt(close - 1))) {
            return Optional.of(Rejection.badRequest("spaces within the addr-spec of " + header));
        }
        if (single && !TOKENS.matcher(unquoted.substring(0, open)).matches()) {
            return Optional.of(Rejection.badRequest("unquoted display name with non-token characters in " + header));
        }
        return Optional.empty();
    }

    /** The value with every quoted string (and its backslash escapes) taken out; null when one is never closed. */
    private static String withoutQuotedStrings(String value) {
        StringBuilder out = new StringBuilder(value.length());
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else {
                out.append(c);
            }
        }
        return quoted ? null : out.toString();
    }
}
