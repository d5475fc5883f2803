package org.sipshield.proxy.metrics;

import java.util.regex.Pattern;

/**
 * A security line's event type: the word after "SECURITY " (digest-auth-failure, unknown-source...).
 * Read from the message pattern, before its arguments are filled in, so nothing a peer sent can
 * make up a type; the pattern of each line is fixed in the code, hence the set of types.
 */
public final class SecurityEventNames {
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{1,48}");

    private SecurityEventNames() {}

    public static String eventOf(ch.qos.logback.classic.spi.ILoggingEvent event) {
        String messagePattern = event.getMessage() == null ? "" : event.getMessage();
        if (!messagePattern.startsWith("SECURITY ")) {
            return null;
        }
        int end = messagePattern.indexOf(' ', 9);
        String type = messagePattern.substring(9, end < 0 ? messagePattern.length() : end);
        return TYPE.matcher(type).matches() ? type : null;
    }
}
