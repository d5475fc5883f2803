package org.sipshield.proxy.metrics;

import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * A call's result from the B2BUA's call log line that decides it, read from the message pattern
 * and the status argument (never the filled-in text): answered, or from the final failure sent to
 * the caller: cancelled (487), busy (486, 600), failed (anything else). A cancelled or refused
 * call ends with one "failed with" line, so each call is counted once.
 */
final class CallResults {
    private CallResults() {}

    static String resultOf(ILoggingEvent event) {
        String pattern = event.getMessage() == null ? "" : event.getMessage();
        if (pattern.startsWith("{}: answered")) {
            return "answered";
        }
        if (pattern.startsWith("{}: failed with {}")) {
            Object[] arguments = event.getArgumentArray();
            Object status = arguments != null && arguments.length > 1 ? arguments[1] : null;
            if (status instanceof Integer code) {
                return code == 487 ? "cancelled" : code == 486 || code == 600 ? "busy" : "failed";
            }
            return "failed";
        }
        return null;
    }
}
