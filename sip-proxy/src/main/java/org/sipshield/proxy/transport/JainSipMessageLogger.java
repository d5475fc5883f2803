package org.sipshield.proxy.transport;

import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jain-sip's message log, reduced to one line per message (first line, peer, Call-ID) at DEBUG
 * on logger "sip.messages". Whole messages are never logged: headers and bodies can carry
 * digest responses and SRTP keys.
 */
public final class JainSipMessageLogger implements gov.nist.core.ServerLogger {
    private static final Logger LOG = LoggerFactory.getLogger("sip.messages");

    @Override
    public void closeLogFile() {
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        log(message, from, to, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        log(message, from, to, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        log(message, from, to, sender);
    }

    private static void log(SIPMessage message, String from, String to, boolean sender) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {} call-id={}: {}", sender ? "sent" : "received", from, to,
                    message.getCallId() == null ? "-" : message.getCallId().getCallId(),
                    message.getFirstLine() == null ? "?" : LogRedaction.redact(message.getFirstLine().trim()));
        }
    }

    @Override
    public void logException(Exception exception) {
        LOG.warn("jain-sip message exception", LogRedaction.redact(exception));
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
    }

    @Override
    public void setSipStack(SipStack sipStack) {
    }
}
