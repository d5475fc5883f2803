package org.sipshield.proxy.pipeline;

import java.text.ParseException;
import java.util.Map;
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
import javax.sip.TransactionState;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.proxy.b2bua.B2bua;
import org.sipshield.proxy.b2bua.Routing;
import org.sipshield.proxy.b2bua.Target;
import org.sipshield.proxy.b2bua.TargetResolver;
import org.sipshield.proxy.security.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of every message jain-sip has parsed. Nothing is answered before classification:
 * a request inside a dialog (a To tag) or a CANCEL passes the dialog pipeline (its call leg's peer,
 * then digest where the operator challenges that method), every other request the request pipeline
 * (classify, protocol checks, pings, trunk ACL, digest, application ACL); routing is the last step:
 * REGISTER to the registrar, INVITE and other dialog-less requests through the B2BUA, in-dialog
 * requests to their call. A failure while handling one request is logged and never reaches the
 * stack's threads.
 */
public final class SipRequestHandler implements SipListener {
    private static final Logger LOG = LoggerFactory.getLogger(SipRequestHandler.class);

    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final RequestPipeline pipeline;
    private final RequestPipeline dialogPipeline;
    private final RegisterHandler registrar;
    private final TargetResolver routing;
    private final B2bua b2bua;

    /**
     * pipeline: what an out-of-dialog request passes before it is routed; dialogPipeline: what a
     * request inside a dialog and a CANCEL pass before they reach their call.
     */
    public SipRequestHandler(MessageFactory messages, HeaderFactory headers, RequestPipeline pipeline,
            RequestPipeline dialogPipeline, RegisterHandler registrar, TargetResolver routing, B2bua b2bua) {
        this.messages = messages;
        this.headers = headers;
        this.pipeline = pipeline;
        this.dialogPipeline = dialogPipeline;
        this.registrar = registrar;
        this.routing = routing;
        this.b2bua = b2bua;
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        ServerTransaction transaction = null;
        try {
            if (Request.ACK.equals(method)) {
                InboundRequest ack = InboundRequest.of(event, null);
                Verdict verdict = dialogPipeline.apply(ack);
                if (verdict.proceeds()) {
                    b2bua.inDialog(ack);
                } else {
                    LOG.debug("dropped {}: {}", ack, verdict.reason()); // an ACK is never answered
                }
                return;
            }
            transaction = serverTransaction(event);
            if (transaction == null) {
                return; // a retransmission: the transaction layer answers it
            }
            InboundRequest inbound = InboundRequest.of(event, transaction);
            boolean dialog = Request.CANCEL.equals(method) || !inbound.isOutOfDialog();
            Verdict verdict = (dialog ? dialogPipeline : pipeline).apply(inbound);
            switch (verdict.kind()) {
                case DROP -> {
                    // forgotten before any answer: no 100 Trying leaves for an INVITE (jain-sip sends one
                    // after 200 ms), and a retransmission is judged, and dropped, again
                    transaction.terminate();
                    LOG.debug("dropped {}: {}", inbound, verdict.reason());
                }
                case RESPOND -> transaction.sendResponse(response(request, verdict));
                case RESPOND_AND_FORGET -> {
                    transaction.terminate(); // before any answer, jain-sip forgets it at once
                    ((SipProvider) event.getSource()).sendResponse(response(request, verdict));
                }
                case CONTINUE -> {
                    if (dialog) {
                        toCall(inbound);
                    } else {
                        route(inbound);
                    }
                }
            }
        } catch (Exception e) {
            LOG.warn("could not handle {} {}: {}", method, request.getRequestURI(), e.toString());
            LOG.debug("stack", e);
            answerServerError(transaction);
        }
    }

    /** A CANCEL or in-dialog request from its leg's peer; 481 when its call ended meanwhile. */
    private void toCall(InboundRequest inbound) throws Exception {
        boolean handled = Request.CANCEL.equals(inbound.method()) ? b2bua.cancel(inbound) : b2bua.inDialog(inbound);
        if (!handled) {
            respond(inbound.transaction(), Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
        }
    }

    /** A request we failed on still gets a final answer, so the sender does not retransmit into the void. */
    private void answerServerError(ServerTransaction transaction) {
        if (transaction == null || (transaction.getState() != TransactionState.TRYING
                && transaction.getState() != TransactionState.PROCEEDING)) {
            return;
        }
        try {
            respond(transaction, Response.SERVER_INTERNAL_ERROR);
        } catch (Exception e) {
            LOG.debug("could not answer 500 either: {}", e.toString());
        }
    }

    private void route(InboundRequest inbound) throws Exception {
        try {
            routeClassified(inbound);
        } finally {
            CallAdmission.Lease untaken = inbound.takeAdmission(); // no call started: no route, or it failed first
            if (untaken != null) {
                untaken.release();
            }
        }
    }

    private void routeClassified(InboundRequest inbound) throws Exception {
        String method = inbound.method();
        ServerTransaction transaction = inbound.transaction();
        if (inbound.peer() instanceof Peer.Unknown) {
            respond(transaction, Response.FORBIDDEN); // fail closed: nothing unclassified is routed
            return;
        }
        if (Request.REGISTER.equals(method)) {
            if (inbound.peer() instanceof Peer.Device device) {
                // Answered when the binding is committed, from the registrar's writer: this thread goes on.
                registrar.register(inbound, device.device()).whenComplete((response, error) -> {
                    try {
                        if (error != null) {
                            throw error;
                        }
                        transaction.sendResponse(response);
                    } catch (Throwable e) {
                        // the registration stands (it is committed); a phone that closed its connection
                        // before the answer left re-registers as any phone does: not an operator's alarm
                        LOG.info("could not send the answer to REGISTER {}: {}", inbound.request().getRequestURI(),
                                e.toString());
                        answerServerError(transaction);
                    }
                });
            } else {
                respond(transaction, Response.FORBIDDEN);
            }
            return;
        }
        if (Request.OPTIONS.equals(method)) {
            Response response = messages.createResponse(Response.OK, inbound.request());
            response.addHeader(headers.createAllowHeader(SipMethods.allowHeaderValue()));
            response.addHeader(headers.createAcceptHeader("application", "sdp"));
            tag(response);
            transaction.sendResponse(response);
            return;
        }
        if (!SipMethods.ROUTED.contains(method)) {
            respond(transaction, SipMethods.KNOWN.contains(method) ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST
                    : Response.NOT_IMPLEMENTED);
            return;
        }
        String called = inbound.request().getRequestURI() instanceof SipURI uri ? uri.getUser() : null;
        Routing route = routing.resolve(called, inbound.peer());
        if (route instanceof Routing.NoRoute none) {
            Response response = messages.createResponse(none.status(), inbound.request());
            response.setReasonPhrase(none.reason());
            transaction.sendResponse(response);
        } else if (Request.INVITE.equals(method)) {
            b2bua.invite(inbound, (Target) route);
        } else {
            b2bua.relayOutOfDialog(inbound, (Target) route);
        }
    }

    private ServerTransaction serverTransaction(RequestEvent event) throws SipException {
        if (event.getServerTransaction() != null) {
            return event.getServerTransaction();
        }
        try {
            return ((SipProvider) event.getSource()).getNewServerTransaction(event.getRequest());
        } catch (TransactionAlreadyExistsException retransmission) {
            return null;
        }
    }

    private Response response(Request request, Verdict verdict) throws ParseException {
        Response response = messages.createResponse(verdict.status(), request);
        response.setReasonPhrase(verdict.reason());
        for (Map.Entry<String, String> header : verdict.headers()) {
            response.addHeader(headers.createHeader(header.getKey(), header.getValue()));
        }
        tag(response);
        return response;
    }

    private void respond(ServerTransaction transaction, int status) throws ParseException, SipException,
            InvalidArgumentException {
        Response response = messages.createResponse(status, transaction.getRequest());
        if (status == Response.METHOD_NOT_ALLOWED) {
            response.addHeader(headers.createAllowHeader(SipMethods.allowHeaderValue()));
        }
        tag(response);
        transaction.sendResponse(response);
    }

    private static void tag(Response response) throws ParseException {
        if (response.getHeader(ToHeader.NAME) instanceof ToHeader to && to.getTag() == null) {
            to.setTag(org.sipshield.proxy.transport.SipIdentifiers.tag());
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        b2bua.response(event);
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        b2bua.timeout(event.getClientTransaction());
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.info("could not reach {}:{} over {} (the peer closed its connection or is gone)", event.getHost(),
                event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        b2bua.transactionTerminated(event.getClientTransaction());
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        b2bua.dialogTerminated(event.getDialog());
    }
}
