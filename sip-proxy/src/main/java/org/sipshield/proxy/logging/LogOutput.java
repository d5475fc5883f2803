package org.sipshield.proxy.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.sipshield.config.LogFormat;
import org.slf4j.LoggerFactory;

/**
 * server.logFormat applied to the console appender that logback.xml declares (STDOUT): for JSON it
 * is replaced by one with Logback's own JsonEncoder. The run command does this right after reading
 * the configuration, before the proxy logs its first line, so a JSON log holds nothing but JSON.
 * The encoder writes the formatted message (what the text format shows, already redacted) and not
 * the raw arguments, so the redaction of the text log is the JSON log's too.
 */
public final class LogOutput {
    static final String APPENDER = "STDOUT";

    private LogOutput() {}

    public static void apply(LogFormat format) {
        if (format != LogFormat.JSON) {
            return; // TEXT is logback.xml's own pattern
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> text = root.getAppender(APPENDER);
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName(APPENDER);
        json.setEncoder(jsonEncoder(context));
        json.start();
        root.addAppender(json);
        if (text != null) {
            root.detachAppender(text);
            text.stop();
        }
    }

    /** The JSON format's encoder (started): timestamp, level, thread, logger, MDC, formatted message, throwable. */
    public static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.setWithArguments(false);
        encoder.setWithKVPList(false);
        encoder.start();
        return encoder;
    }
}
