package org.sipshield.proxy.metrics;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.ViaHeader;

/**
 * Counts what the SIP listeners deliver (requests by method, responses by code, each by
 * transport) before handing it on. Screening refuses malformed and flooding input before it
 * becomes an event: that shows in the security event counts instead.
 */
public final class MeteredSipListener implements SipListener {
    private final SipListener listener;
    private final SipMetrics metrics;

    public MeteredSipListener(SipListener listener, SipMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    @Override
    public void processRequest(RequestEvent event) {
        metrics.requestReceived(event.getRequest().getMethod(), transportOf(event.getSource()));
        listener.processRequest(event);
    }

    @Override
    public void processResponse(ResponseEvent event) {
        ViaHeader via = (ViaHeader) event.getResponse().getHeader(ViaHeader.NAME);
        metrics.responseReceived(event.getResponse().getStatusCode(), via == null ? null : via.getTransport());
        listener.processResponse(event);
    }

    private static String transportOf(Object source) {
        return source instanceof SipProvider provider && provider.getListeningPoints().length > 0
                ? provider.getListeningPoints()[0].getTransport() : null;
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        listener.processTimeout(event);
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
}
