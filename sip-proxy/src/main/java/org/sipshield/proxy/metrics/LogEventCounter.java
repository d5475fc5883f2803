package org.sipshield.proxy.metrics;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Counts the lines of a logger by a name read from each (a security event's type, a call's
 * result): the code that logs them stays as it is, and a line is the one place each event is
 * already described. Names come from fixed vocabularies; a line that names none is not counted.
 * The logger's level decides what is seen: turning sipshield.calls below INFO stops call counts.
 */
final class LogEventCounter extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final Function<ILoggingEvent, String> nameOf;
    private final Consumer<String> counter;

    private LogEventCounter(Logger logger, Function<ILoggingEvent, String> nameOf, Consumer<String> counter) {
        this.logger = logger;
        this.nameOf = nameOf;
        this.counter = counter;
    }

    static LogEventCounter attach(Logger logger, Function<ILoggingEvent, String> nameOf, Consumer<String> counter) {
        LogEventCounter appender = new LogEventCounter(logger, nameOf, counter);
        appender.setName("sipshield-metrics-" + logger.getName());
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String name = nameOf.apply(event);
        if (name != null) {
            counter.accept(name);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
