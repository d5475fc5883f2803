package org.sipshield.proxy.management;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The last security events, for the status page: the lines of sipshield.security as they were
 * logged (they carry no secret: the log guarantee covers them), kept in memory in a bounded ring so
 * a flood of refusals costs a fixed amount. A line's text is the peer's to shape in part (a user
 * name, a path): whoever shows it escapes it.
 */
final class SecurityEventRing extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    /** Enough for an operator's glance; the log keeps the rest. */
    static final int CAPACITY = 100;
    /** A line longer than this is cut: the ring's memory stays bounded whatever a peer sent. */
    private static final int MAX_TEXT = 512;

    private final Logger logger = (Logger) LoggerFactory.getLogger("sipshield.security");
    private final ArrayDeque<ManagementApi.SecurityEvent> events = new ArrayDeque<>(CAPACITY);

    static SecurityEventRing attach() {
        SecurityEventRing ring = new SecurityEventRing();
        ring.setName("sipshield-status-security-events");
        ring.setContext(ring.logger.getLoggerContext());
        ring.start();
        ring.logger.addAppender(ring);
        return ring;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String text = event.getFormattedMessage();
        String type = org.sipshield.proxy.metrics.SecurityEventNames.eventOf(event);
        ManagementApi.SecurityEvent kept = new ManagementApi.SecurityEvent(Instant.ofEpochMilli(event.getTimeStamp()), event.getLevel().toString(),
                type == null ? "other" : type, text == null ? "" : text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text);
        synchronized (events) {
            if (events.size() == CAPACITY) {
                events.removeFirst();
            }
            events.addLast(kept);
        }
    }

    /** Newest first. */
    List<ManagementApi.SecurityEvent> recent() {
        synchronized (events) {
            List<ManagementApi.SecurityEvent> newestFirst = new ArrayList<>(events);
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        }
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
