package org.sipshield.proxy.pipeline;

import java.text.ParseException;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of every request jain-sip has parsed. It answers OPTIONS itself (keepalives and
 * health checks), 405 for known methods this build does not serve yet and 501 for unknown ones.
 * A failure while answering one request is logged and never reaches the stack's threads, so one
 * bad request cannot stop the proxy serving others.
 */
public final class SipRequestHandler implements SipListener {
    private static final Logger LOG = LoggerFactory.getLogger(SipRequestHandler.class);

    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final String userAgent;

    public SipRequestHandler(MessageFactory messages, HeaderFactory headers, String userAgent) {
        this.messages = messages;
        this.headers = headers;
        this.userAgent = userAgent;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        try {
            if (Request.ACK.equals(method)) {
                return; // an ACK is never answered; without dialogs there is nothing to do with it
            }
            if (Request.OPTIONS.equals(method)) {
                respond(event, okToOptions(request));
            } else if (Request.CANCEL.equals(method)) {
                respond(event, messages.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
            } else if (SipMethods.KNOWN.contains(method)) {
                Response response = messages.createResponse(Response.METHOD_NOT_ALLOWED, request);
                response.addHeader(headers.createAllowHeader(SipMethods.allowHeaderValue()));
                respond(event, response);
            } else {
                respond(event, messages.createResponse(Response.NOT_IMPLEMENTED, request));
            }
        } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("could not answer {} from {}: {}", method, source(event), e.toString());
        }
    }

    private Response okToOptions(Request request) throws ParseException {
        Response response = messages.createResponse(Response.OK, request);
        response.addHeader(headers.createAllowHeader(SipMethods.allowHeaderValue()));
        response.addHeader(headers.createAcceptHeader("application", "sdp"));
        response.addHeader(headers.createUserAgentHeader(java.util.List.of(userAgent)));
        return response;
    }

    private void respond(RequestEvent event, Response response)
            throws SipException, InvalidArgumentException, ParseException {
        if (response.getHeader("To") instanceof javax.sip.header.ToHeader to && to.getTag() == null
                && response.getStatusCode() >= 200) {
            to.setTag(Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()));
        }
        ServerTransaction transaction = event.getServerTransaction();
        if (transaction == null) {
            try {
                transaction = ((SipProvider) event.getSource()).getNewServerTransaction(event.getRequest());
            } catch (TransactionAlreadyExistsException retransmission) {
                return; // the transaction layer answers retransmissions itself
            }
        }
        transaction.sendResponse(response);
    }

    private static String source(RequestEvent event) {
        if (event.getRequest() instanceof gov.nist.javax.sip.message.SIPRequest request) {
            return request.getRemoteAddress() == null ? "?" : request.getRemoteAddress().getHostAddress()
                    + ":" + request.getRemotePort();
        }
        return "?";
    }

    @Override
    public void processResponse(ResponseEvent event) {
        // No client transactions yet: stray responses are dropped by the stack (REJECT_STRAY_RESPONSES).
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.debug("transport error towards {}:{} over {}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }
}
