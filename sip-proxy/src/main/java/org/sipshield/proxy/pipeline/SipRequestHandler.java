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
import javax.sip.header.MaxForwardsHeader;
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
 * Entry point of every message jain-sip has parsed. In-dialog requests go to the call they belong
 * to; OPTIONS pings to the proxy itself are answered here (keepalives are never challenged); every
 * other request passes the pipeline (classify, trunk ACL, digest, application ACL) and is then
 * routed: REGISTER to the registrar, INVITE and other dialog-less requests through the B2BUA.
 * A failure while handling one request is logged and never reaches the stack's threads.
 */
public final class SipRequestHandler implements SipListener {
    private static final Logger LOG = LoggerFactory.getLogger(SipRequestHandler.class);

    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final String userAgent;
    private final RequestPipeline pipeline;
    private final RegisterHandler registrar;
    private final TargetResolver routing;
    private final B2bua b2bua;
    private final RequestPipeline pings;

    public SipRequestHandler(MessageFactory messages, HeaderFactory headers, String userAgent, RequestPipeline pipeline,
            RegisterHandler registrar, TargetResolver routing, B2bua b2bua) {
        this(messages, headers, userAgent, pipeline, registrar, routing, b2bua, new RequestPipeline(java.util.List.of()));
    }

    /** pings: what an OPTIONS ping to the proxy itself passes before it is answered (see {@link PingPolicy}). */
    public SipRequestHandler(MessageFactory messages, HeaderFactory headers, String userAgent, RequestPipeline pipeline,
            RegisterHandler registrar, TargetResolver routing, B2bua b2bua, RequestPipeline pings) {
        this.pings = pings;
        this.messages = messages;
        this.headers = headers;
        this.userAgent = userAgent;
        this.pipeline = pipeline;
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
                b2bua.inDialog(request, event.getDialog(), null);
                return;
            }
            transaction = serverTransaction(event);
            if (transaction == null) {
                return; // a retransmission: the transaction layer answers it
            }
            if (Request.CANCEL.equals(method)) {
                if (!b2bua.cancel(request, transaction)) {
                    respond(transaction, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                }
                return;
            }
            if (((ToHeader) request.getHeader(ToHeader.NAME)).getTag() != null) {
                if (!b2bua.inDialog(request, event.getDialog(), transaction)) {
                    respond(transaction, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                }
                return;
            }
            if (request.getHeader(MaxForwardsHeader.NAME) instanceof MaxForwardsHeader hops && hops.getMaxForwards() == 0
                    && !Request.OPTIONS.equals(method)) {
                respond(transaction, Response.TOO_MANY_HOPS);
                return;
            }
            if (!SipMethods.KNOWN.contains(method)) {
                respond(transaction, Response.NOT_IMPLEMENTED);
                return;
            }
            String unsupported = unsupportedExtensions(request);
            if (!unsupported.isEmpty()) {
                Response response = messages.createResponse(Response.BAD_EXTENSION, request);
                response.addHeader(headers.createUnsupportedHeader(unsupported));
                tag(response);
                transaction.sendResponse(response);
                return;
            }
            if (isPing(request)) {
                Verdict ping = pings.apply(new InboundRequest(event, transaction));
                if (ping.proceeds()) {
                    transaction.sendResponse(okToOptions(request));
                } else {
                    LOG.debug("dropped a ping: {}", ping.reason());
                }
                return;
            }
            InboundRequest inbound = new InboundRequest(event, transaction);
            Verdict verdict = pipeline.apply(inbound);
            switch (verdict.kind()) {
                case DROP -> LOG.debug("dropped {}: {}", inbound, verdict.reason());
                case RESPOND -> transaction.sendResponse(response(request, verdict));
                case CONTINUE -> route(inbound);
            }
        } catch (Exception e) {
            LOG.warn("could not handle {} {}: {}", method, request.getRequestURI(), e.toString());
            LOG.debug("stack", e);
            answerServerError(transaction);
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
        String method = inbound.method();
        ServerTransaction transaction = inbound.transaction();
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
            transaction.sendResponse(okToOptions(inbound.request()));
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

    /** SIP extensions a request Requires that we do not implement (RFC 3261 8.2.2.3: 420 Bad Extension). */
    private static String unsupportedExtensions(Request request) {
        java.util.List<String> unsupported = new java.util.ArrayList<>();
        java.util.ListIterator<?> required = request.getHeaders(javax.sip.header.RequireHeader.NAME);
        while (required != null && required.hasNext()) {
            String tag = ((javax.sip.header.RequireHeader) required.next()).getOptionTag();
            if (!SipMethods.SUPPORTED_EXTENSIONS.contains(tag.toLowerCase(java.util.Locale.ROOT))) {
                unsupported.add(tag);
            }
        }
        return String.join(", ", unsupported);
    }

    /** An OPTIONS keepalive or health check addressed to the proxy itself (no user part). */
    private static boolean isPing(Request request) {
        return Request.OPTIONS.equals(request.getMethod())
                && (!(request.getRequestURI() instanceof SipURI uri) || uri.getUser() == null);
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

    private Response okToOptions(Request request) throws ParseException {
        Response response = messages.createResponse(Response.OK, request);
        response.addHeader(headers.createAllowHeader(SipMethods.allowHeaderValue()));
        response.addHeader(headers.createAcceptHeader("application", "sdp"));
        response.addHeader(headers.createUserAgentHeader(java.util.List.of(userAgent)));
        tag(response);
        return response;
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
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        b2bua.dialogTerminated(event.getDialog());
    }
}
