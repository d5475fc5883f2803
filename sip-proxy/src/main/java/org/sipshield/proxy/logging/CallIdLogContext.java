package org.sipshield.proxy.logging;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Message;
import org.slf4j.MDC;

/**
 * Puts the Call-ID of the message being handled in the logging context ("callId") for the length
 * of the callback, so every line the pipeline and the B2BUA log meanwhile names its call (the JSON
 * log shows it under "mdc"). Each leg has its own Call-ID: a line carries the one of the leg whose
 * message is handled. The value is the peer's text: cut to a bounded length, and escaped by the
 * JSON encoder like any other value.
 */
public final class CallIdLogContext implements SipListener {
    public static final String KEY = "callId";
    /** Longer than any Call-ID a real stack makes; a longer one is a peer's padding. */
    private static final int MAX_LENGTH = 256;

    private final SipListener listener;

    public CallIdLogContext(SipListener listener) {
        this.listener = listener;
    }

    @Override
    public void processRequest(RequestEvent event) {
        put(event.getRequest());
        try {
            listener.processRequest(event);
        } finally {
            MDC.remove(KEY);
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        put(event.getResponse());
        try {
            listener.processResponse(event);
        } finally {
            MDC.remove(KEY);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        var transaction = event.isServerTransaction() ? event.getServerTransaction() : event.getClientTransaction();
        put(transaction == null ? null : transaction.getRequest());
        try {
            listener.processTimeout(event);
        } finally {
            MDC.remove(KEY);
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        listener.processIOException(event);
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        listener.processTransactionTerminated(event);
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        listener.processDialogTerminated(event);
    }

    private static void put(Message message) {
        CallIdHeader header = message == null ? null : (CallIdHeader) message.getHeader(CallIdHeader.NAME);
        String callId = header == null ? null : header.getCallId();
        if (callId != null) {
            MDC.put(KEY, callId.length() > MAX_LENGTH ? callId.substring(0, MAX_LENGTH) : callId);
        }
    }
}
