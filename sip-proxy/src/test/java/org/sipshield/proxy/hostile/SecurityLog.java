package org.sipshield.proxy.hostile;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The security event lines ("sipshield.security"), or another logger's, logged while a test runs. */
public final class SecurityLog implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public SecurityLog() {
        this("sipshield.security");
    }

    public SecurityLog(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    public List<String> lines(String containing) {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.contains(containing)).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
