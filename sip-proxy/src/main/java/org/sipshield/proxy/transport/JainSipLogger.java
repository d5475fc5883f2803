package org.sipshield.proxy.transport;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends jain-sip's own diagnostics to SLF4J (logger "jain-sip"), instead of the log4j 1.x
 * writer it would otherwise want. jain-sip logs whole messages at debug level: those carry
 * Authorization headers and SDP keys, so every text and exception goes through
 * {@link LogRedaction} first, at every level: no log configuration can let a secret through.
 *
 * <p>jain-sip asks whether logging is enabled several times per message; the answer is read from
 * the logging configuration once, when the stack starts (a level change applies at the next start).
 */
public final class JainSipLogger implements StackLogger {
    /**
     * How jain-sip's TLSMessageChannel reports a TLS handshake its connection thread ran and lost
     * (Bouncy Castle throws TlsFatalAlert, an IOException but no SSLException): the one place it says so.
     */
    static final String HANDSHAKE_FAILED = "A problem occured while Accepting connection";
    private static final Logger LOG = LoggerFactory.getLogger("jain-sip");

    private final boolean debug = LOG.isDebugEnabled();
    private final boolean info = LOG.isInfoEnabled();
    private final boolean warn = LOG.isWarnEnabled();
    private final boolean error = LOG.isErrorEnabled();

    @Override
    public void logStackTrace() {
    }

    @Override
    public void logStackTrace(int traceLevel) {
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable exception) {
        LOG.warn("jain-sip exception", LogRedaction.redact(exception));
    }

    @Override
    public void logDebug(String message) {
        LOG.debug(LogRedaction.redact(message));
    }

    @Override
    public void logDebug(String message, Exception exception) {
        LOG.debug(LogRedaction.redact(message), LogRedaction.redact(exception));
    }

    @Override
    public void logTrace(String message) {
        LOG.trace(LogRedaction.redact(message));
    }

    @Override
    public void logFatalError(String message) {
        LOG.error(LogRedaction.redact(message));
    }

    @Override
    public void logError(String message) {
        if (isUnreachablePeer(message)) {
            LOG.debug(LogRedaction.redact(message)); // "Problem connecting" quotes the whole message
            return;
        }
        LOG.error(LogRedaction.redact(message));
    }

    /**
     * jain-sip's four ERROR lines for one peer it could not reach over TCP/TLS (a phone that closed
     * its connection as our answer or keepalive CRLF left: "Problem connecting", "Problem sending",
     * its socket table, "Could not connect"). The same failure reaches the caller as an exception or
     * an IOExceptionEvent, which says it once (SipRequestHandler); four ERROR lines per phone that
     * hangs up its connection would bury the real errors.
     */
    private static boolean isUnreachablePeer(String message) {
        return message != null && (message.startsWith("A problem occured while trying to send a single CLRF")
                || message.startsWith("Problem connecting ") || message.startsWith("Problem sending: sendBytes ")
                || message.startsWith("Could not connect to ") || message.startsWith("{"));
    }

    /**
     * "Error is" with the stack of a connection that could not be made: jain-sip's line for each
     * request to a TCP/TLS destination that is down (a trunk pinged every few seconds would write
     * one ERROR and a stack trace per ping). TrunkHealth says it once per change of state.
     */
    private static boolean isConnectFailure(Exception exception) {
        return exception instanceof java.io.IOException && exception.getMessage() != null
                && exception.getMessage().startsWith("Could not connect to ");
    }

    @Override
    public boolean isLoggingEnabled() {
        return info;
    }

    @Override
    public boolean isLoggingEnabled(int logLevel) {
        if (logLevel >= TRACE_DEBUG) {
            return debug;
        }
        if (logLevel >= TRACE_INFO) {
            return info;
        }
        if (logLevel >= TRACE_WARN) {
            return warn;
        }
        return error;
    }

    @Override
    public void logError(String message, Exception exception) {
        if (HANDSHAKE_FAILED.equals(message)) {
            SipNetworkLayer.handshakeFailed();
        }
        if (isUnreachablePeer(message) || isConnectFailure(exception)) {
            LOG.debug(LogRedaction.redact(message), LogRedaction.redact(exception));
            return;
        }
        LOG.error(LogRedaction.redact(message), LogRedaction.redact(exception));
    }

    @Override
    public void logWarning(String message) {
        LOG.warn(LogRedaction.redact(message));
    }

    @Override
    public void logInfo(String message) {
        LOG.info(LogRedaction.redact(message));
    }

    @Override
    public void disableLogging() {
    }

    @Override
    public void enableLogging() {
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
    }

    @Override
    public String getLoggerName() {
        return LOG.getName();
    }
}
