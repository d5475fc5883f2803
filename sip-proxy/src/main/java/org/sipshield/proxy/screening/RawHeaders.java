package org.sipshield.proxy.screening;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The start line and header fields of a message as the peer wrote them (folded lines joined),
 * read without any SIP grammar: what the syntax rules look at, and what a refusal copies when the
 * parser could not make sense of a header. Bytes are kept one char each (ISO-8859-1), so copying
 * a value back gives the peer's own octets.
 */
final class RawHeaders {
    /** Compact forms (RFC 3261 7.3.3) of the headers looked up here. */
    private static final Map<String, String> COMPACT = Map.of("v", "via", "f", "from", "t", "to", "i", "call-id",
            "m", "contact", "l", "content-length");

    record Field(String name, String value) {
        /** The lower-case long name, whatever form the peer used. */
        String canonicalName() {
            String lower = name.toLowerCase(Locale.ROOT);
            return COMPACT.getOrDefault(lower, lower);
        }
    }

    private final String startLine;
    private final List<Field> fields;

    private RawHeaders(String startLine, List<Field> fields) {
        this.startLine = startLine;
        this.fields = fields;
    }

    /** Lines end in CRLF or LF (jain-sip's TCP framing hands over LF alone); the headers end at the first empty line or the last byte. */
    static RawHeaders of(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int headersEnd = text.indexOf("\n\r\n");
        int lfEnd = text.indexOf("\n\n");
        if (headersEnd < 0 || (lfEnd >= 0 && lfEnd < headersEnd)) {
            headersEnd = lfEnd;
        }
        String head = headersEnd < 0 ? text : text.substring(0, headersEnd);
        String[] lines = head.split("\r?\n", -1);
        List<Field> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !fields.isEmpty()) {
                Field last = fields.remove(fields.size() - 1);
                fields.add(new Field(last.name(), last.value() + " " + line.trim()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.add(new Field(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            }
        }
        return new RawHeaders(lines[0].endsWith("\r") ? lines[0].substring(0, lines[0].length() - 1) : lines[0],
                List.copyOf(fields));
    }

    String startLine() {
        return startLine;
    }

    List<Field> fields() {
        return fields;
    }

    /** Every value of one header, by its lower-case long name, in message order. */
    List<String> values(String canonicalName) {
        List<String> values = new ArrayList<>(2);
        for (Field field : fields) {
            if (field.canonicalName().equals(canonicalName)) {
                values.add(field.value());
            }
        }
        return values;
    }

    /** The first value of one header, or null. */
    String first(String canonicalName) {
        for (Field field : fields) {
            if (field.canonicalName().equals(canonicalName)) {
                return field.value();
            }
        }
        return null;
    }
}
