package org.sipshield.proxy.load;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The proxy's log lines at WARN and above, and any line that carries an exception, while a load
 * runs (the proxy runs in this JVM: its log is this JVM's). INFO lines without an exception are
 * not kept: a load writes thousands of them. Under a load of well-behaved peers the proxy has
 * nothing to warn about: a WARN there (a request it could not handle, a binding not stored, a
 * digest failure) is a problem the load found, so tests judge all of them, not only ERROR.
 */
final class ProxyLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<String> kept = new ArrayList<>();

    ProxyLog() {
        setContext(root.getLoggerContext());
        setName("load-test-log");
        start();
        root.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        if (!event.getLevel().isGreaterOrEqual(Level.WARN) && thrown == null) {
            return;
        }
        StringBuilder line = new StringBuilder(event.getLevel() + " [" + event.getThreadName() + "] "
                + event.getLoggerName() + " - " + event.getFormattedMessage());
        for (IThrowableProxy cause = thrown; cause != null; cause = cause.getCause()) {
            line.append("\n    ").append(cause.getClassName()).append(": ").append(cause.getMessage());
            var frames = cause.getStackTraceElementProxyArray();
            for (int i = 0; i < Math.min(8, frames.length); i++) {
                line.append("\n        at ").append(frames[i].getSTEAsString());
            }
        }
        synchronized (kept) {
            kept.add(line.toString());
        }
    }

    /** Every line at WARN and above, and every line with an exception, since this was attached. */
    List<String> problems() {
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }

    /** For a failure message: how many, and the first few in full. */
    String describeProblems() {
        List<String> problems = problems();
        return problems.size() + " line(s) at WARN or above or with an exception, the first ones:\n"
                + String.join("\n", problems.subList(0, Math.min(20, problems.size())));
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
    }
}
