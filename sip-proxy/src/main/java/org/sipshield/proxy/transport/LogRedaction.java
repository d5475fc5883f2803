package org.sipshield.proxy.transport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What jain-sip may say in our logs: its text with every secret taken out, whatever the level.
 * jain-sip puts whole messages into its debug and trace lines (and parse errors quote the header
 * they failed on); a message carries digest answers in its Authorization and Proxy-Authorization
 * headers and SRTP master keys in its SDP body. So: a message body is never passed on (only its
 * length), an Authorization or Proxy-Authorization value never, and wherever the text is not a
 * whole message, the secret parts themselves are masked (response=, cnonce=, inline: keys, k= lines).
 */
public final class LogRedaction {
    static final String REDACTED = "<redacted>";

    /** A SIP message's head: a request or status line followed by header lines. */
    private static final Pattern MESSAGE_START = Pattern.compile(
            "(?m)^(?:[A-Za-z]+ \\S+ SIP/2\\.0|SIP/2\\.0 \\d{3}[^\\r\\n]*)\\r?$");
    /** The blank line that ends a message's headers, and what follows it up to the next message or the end. */
    private static final Pattern BODY = Pattern.compile("\\r?\\n\\r?\\n");
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "(?i)\\b((?:proxy-)?authorization\\s*:)[^\\r\\n]*");
    private static final Pattern DIGEST_SECRET = Pattern.compile(
            "(?i)\\b(response|cnonce)\\s*=\\s*(\"[^\"]*\"|[^,\\s\"]+)");
    private static final Pattern INLINE_KEY = Pattern.compile("(?i)\\binline:[^\\s|;\"]+");
    private static final Pattern K_LINE = Pattern.compile("(?m)^(\\s*k=)[^\\r\\n]*");

    private LogRedaction() {
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = withoutBodies(text);
        result = AUTHORIZATION.matcher(result).replaceAll("$1 " + REDACTED);
        result = DIGEST_SECRET.matcher(result).replaceAll("$1=" + REDACTED);
        result = INLINE_KEY.matcher(result).replaceAll("inline:" + REDACTED);
        return K_LINE.matcher(result).replaceAll("$1" + REDACTED);
    }

    /** Every SIP message in the text keeps its head; the body after the blank line becomes its length. */
    private static String withoutBodies(String text) {
        Matcher start = MESSAGE_START.matcher(text);
        if (!start.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int from = start.start();
        while (from >= 0) {
            int nextMessage = start.find(start.end()) ? start.start() : -1;
            int end = nextMessage < 0 ? text.length() : nextMessage;
            Matcher blank = BODY.matcher(text).region(from, end);
            if (blank.find()) {
                int bodyLength = end - blank.end();
                out.append(text, copied, blank.end());
                if (bodyLength > 0) {
                    out.append("<body of ").append(bodyLength).append(" characters not logged>\n");
                }
                copied = end;
            }
            from = nextMessage;
        }
        out.append(text, copied, text.length());
        return out.toString();
    }

    /**
     * The exception with its messages redacted (the parser quotes the text it failed on), its cause
     * chain and stack traces kept; the original exception's own class name is part of the message.
     */
    public static Throwable redact(Throwable exception) {
        if (exception == null) {
            return null;
        }
        Throwable copy = new RedactedException(exception.getClass().getName() + ": " + redact(exception.getMessage()),
                exception.getCause() == null || exception.getCause() == exception ? null : redact(exception.getCause()));
        copy.setStackTrace(exception.getStackTrace());
        return copy;
    }

    /** Stands in for a logged exception whose message was redacted. */
    static final class RedactedException extends Exception {
        private static final long serialVersionUID = 1L;

        RedactedException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
