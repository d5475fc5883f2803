package org.sipshield.proxy.screening;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks on the bytes of a message before any parser sees them: what jain-sip's parser would
 * quietly repair or misread (a bare CR splitting one header into two, a NUL, invalid UTF-8, a
 * line that is no header, a second Content-Length or CSeq) is refused here, so that what the
 * pipeline sees is exactly what the peer sent.
 */
final class RawMessageRules {
    private static final Pattern REQUEST_LINE = Pattern.compile("[A-Za-z0-9.!%*_+`'~-]+ [^ ]+ SIP/[0-9]+\\.[0-9]+");
    /** What is still recognisably a SIP request line, however badly spaced (RFC 4475 3.1.2.8-3.1.2.10). */
    private static final Pattern LOOSE_REQUEST_LINE = Pattern.compile(
            "[A-Za-z0-9.!%*_+`'~-]+[ \\t]+\\S.*[ \\t]+SIP/[0-9]+\\.[0-9]+[ \\t]*");
    private static final Pattern STATUS_LINE = Pattern.compile("SIP/[0-9]+\\.[0-9]+ [0-9]{3}( .*)?");
    /** Headers that may appear once only, by long and compact name. */
    private static final Map<String, String> SINGLE = Map.of("content-length", "Content-Length", "l", "Content-Length",
            "cseq", "CSeq", "call-id", "Call-ID", "i", "Call-ID", "from", "From", "f", "From", "to", "To", "t", "To",
            "max-forwards", "Max-Forwards");

    private RawMessageRules() {}

    /**
     * Empty when the bytes may go on to the parser. Lines end in CRLF on UDP; jain-sip's TCP
     * framing hands over lines ending in LF alone, so both are line ends here.
     */
    static Optional<Rejection> check(byte[] message) {
        int firstLineEnd = indexOf(message, (byte) '\n', 0);
        int firstLength = firstLineEnd < 0 ? Math.min(message.length, 256) : firstLineEnd;
        if (firstLength > 0 && message[firstLength - 1] == '\r') {
            firstLength--;
        }
        String firstLine = new String(message, 0, firstLength, StandardCharsets.ISO_8859_1);
        boolean response = STATUS_LINE.matcher(firstLine).matches();
        if (!response) {
            Optional<Rejection> requestLine = checkRequestLine(firstLine);
            if (requestLine.isPresent()) {
                return requestLine;
            }
        }
        List<String> lines = new ArrayList<>();
        boolean ended = false;
        int lineStart = firstLineEnd + 1;
        while (firstLineEnd >= 0 && lineStart <= message.length) {
            int lineEnd = indexOf(message, (byte) '\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = message.length; // the last line, cut short
            }
            int contentEnd = lineEnd > lineStart && lineEnd < message.length && message[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd == lineStart && lineEnd < message.length) {
                ended = true;
                break;
            }
            for (int i = lineStart; i < contentEnd; i++) {
                byte b = message[i];
                if (b == '\r') {
                    return Optional.of(Rejection.badRequest("bare CR in header"));
                }
                if (b == 0) {
                    return Optional.of(Rejection.badRequest("NUL byte in header"));
                }
                if (b >= 0 && b < 0x20 && b != '\t') {
                    return Optional.of(Rejection.badRequest("control character in header"));
                }
            }
            String line;
            try {
                line = UTF8.get().decode(ByteBuffer.wrap(message, lineStart, contentEnd - lineStart)).toString();
            } catch (CharacterCodingException e) {
                return Optional.of(Rejection.badRequest("invalid UTF-8 in header"));
            }
            if (line.indexOf('\uFFFD') >= 0) {
                // jain-sip's TCP framing has already replaced the invalid bytes
                return Optional.of(Rejection.badRequest("invalid UTF-8 in header"));
            }
            lines.add(line);
            lineStart = lineEnd + 1;
        }
        if (!ended) {
            return Optional.of(Rejection.badRequest("truncated: no end of headers"));
        }
        Map<String, Integer> seen = new HashMap<>();
        for (String line : lines) {
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                continue; // a folded continuation of the previous header
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return Optional.of(Rejection.badRequest("header line without a colon"));
            }
            String name = SINGLE.get(line.substring(0, colon).trim().toLowerCase(Locale.ROOT));
            if (name != null && seen.merge(name, 1, Integer::sum) > 1) {
                return Optional.of(Rejection.badRequest("more than one " + name + " header"));
            }
        }
        return response ? Optional.empty() : HeaderSyntaxRules.check(RawHeaders.of(message));
    }

    /**
     * One SP between method, Request-URI and version (RFC 3261 7.1), a bare URI without headers
     * (RFC 3261 19.1.5: headers are not allowed in a Request-URI), and version 2.0. A line that is
     * no SIP request line at all is dropped; one that is, but malformed, is answered.
     */
    private static Optional<Rejection> checkRequestLine(String line) {
        if (!REQUEST_LINE.matcher(line).matches()) {
            return LOOSE_REQUEST_LINE.matcher(line).matches() ? Optional.of(Rejection.badRequest("malformed request line"))
                    : Optional.of(Rejection.drop("not a SIP request or response line"));
        }
        String uri = line.substring(line.indexOf(' ') + 1, line.lastIndexOf(' '));
        if (uri.startsWith("<")) {
            return Optional.of(Rejection.badRequest("Request-URI enclosed in <>"));
        }
        String scheme = uri.indexOf(':') < 0 ? "" : uri.substring(0, uri.indexOf(':')).toLowerCase(Locale.ROOT);
        if ((scheme.equals("sip") || scheme.equals("sips")) && uri.indexOf('?') >= 0) {
            return Optional.of(Rejection.badRequest("Request-URI with escaped headers"));
        }
        if (!line.endsWith(" SIP/2.0")) {
            // jain-sip would read any version as 2.0
            return Optional.of(new Rejection(505, "Version Not Supported"));
        }
        return Optional.empty();
    }

    private static final ThreadLocal<CharsetDecoder> UTF8 = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8
            .newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));

    private static int indexOf(byte[] haystack, byte needle, int from) {
        for (int i = from; i < haystack.length; i++) {
            if (haystack[i] == needle) {
                return i;
            }
        }
        return -1;
    }
}
