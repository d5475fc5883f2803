package org.sipshield.proxy.screening;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.text.ParseException;
import java.net.InetAddress;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.SipStack;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.SecuritySettings;
import org.sipshield.config.Transport;
import org.sipshield.proxy.pipeline.InboundRequest;
import org.sipshield.proxy.pipeline.Verdict;
import org.sipshield.proxy.transport.ContactTransportPin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named in the stack property gov.nist.javax.sip.SIP_MESSAGE_VALVE: runs for every request
 * before jain-sip creates a transaction. It answers the requests {@link ScreeningMessageParser}
 * refused, and applies the per-source rate limit to everything that would start something new;
 * requests of dialogs the stack already holds, and ACKs, are never limited. Either answer goes
 * only to a source {@link AnswerableSources} allows; the others get silence.
 * A request inside a dialog the stack holds first meets the dialog guard (the B2BUA's peer check):
 * a stranger to the call leg is refused here, before jain-sip's dialog layer would take a target
 * refresh's Contact and CSeq as the dialog's own. Then every message's Contacts are pinned to the
 * transport it arrived over ({@link ContactTransportPin}): a peer's Contact never moves its dialog
 * off the leg's transport (off TLS in particular).
 * jain-sip instantiates it by name, so its settings are registered per stack name beforehand.
 */
public final class ScreeningValve implements SIPMessageValve {
    private static final Logger LOG = LoggerFactory.getLogger(ScreeningValve.class);
    private static final Map<String, Supplier<Limit>> LIMITS_BY_STACK = new ConcurrentHashMap<>();
    private static final Map<String, AnswerableSources> ANSWERABLE_BY_STACK = new ConcurrentHashMap<>();
    private static final Map<String, Function<InboundRequest, Verdict>> DIALOG_GUARDS = new ConcurrentHashMap<>();

    /**
     * The limiter of one stack, what a request over it gets, and the sources it never throttles (a
     * trunk's trustedAddresses: a carrier's busy hour must not look like a flood).
     */
    public record Limit(RequestRateLimiter limiter, boolean reject503, Predicate<InetAddress> trusted) {
        public Limit(RequestRateLimiter limiter, boolean reject503) {
            this(limiter, reject503, source -> false);
        }

        /** The security section's per-source limit. */
        public static Limit of(SecuritySettings security, Predicate<InetAddress> trusted) {
            return new Limit(new RequestRateLimiter(security.requestsPerSecondPerSource(), security.requestBurstPerSource(),
                    security.rateLimitedSourcesTracked(), System::nanoTime),
                    security.overRequestLimit() == SecuritySettings.FloodAction.REJECT_503, trusted);
        }

        /**
         * The limit a reload brings: the same limiter, its sources' buckets kept (a flood in progress
         * gets no fresh burst), retuned to the new rate, burst and tracked sources.
         */
        public Limit reloaded(SecuritySettings security) {
            limiter.retune(security.requestsPerSecondPerSource(), security.requestBurstPerSource(),
                    security.rateLimitedSourcesTracked());
            return new Limit(limiter, security.overRequestLimit() == SecuritySettings.FloodAction.REJECT_503, trusted);
        }
    }

    private volatile SIPTransactionStack stack;
    private volatile String stackName;
    private volatile Supplier<Limit> limit = () -> null;
    private volatile AnswerableSources answerable = AnswerableSources.EVERYONE;

    /** limit: asked at each request, so a reload's limit applies to the next one. */
    public static void register(String stackName, Supplier<Limit> limit, AnswerableSources answerable) {
        LIMITS_BY_STACK.put(stackName, limit);
        ANSWERABLE_BY_STACK.put(stackName, answerable);
    }

    /**
     * guard: what a request inside one of the stack's dialogs gets before jain-sip applies it (a
     * refusal or proceed); registered once the B2BUA exists, before the stack starts.
     */
    public static void guardDialogs(String stackName, Function<InboundRequest, Verdict> guard) {
        DIALOG_GUARDS.put(stackName, guard);
    }

    public static void unregister(String stackName) {
        LIMITS_BY_STACK.remove(stackName);
        ANSWERABLE_BY_STACK.remove(stackName);
        DIALOG_GUARDS.remove(stackName);
    }

    @Override
    public void init(SipStack sipStack) {
        stack = (SIPTransactionStack) sipStack;
        stackName = sipStack.getStackName();
        limit = LIMITS_BY_STACK.getOrDefault(sipStack.getStackName(), () -> null);
        answerable = ANSWERABLE_BY_STACK.getOrDefault(sipStack.getStackName(), AnswerableSources.EVERYONE);
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        if (request.getApplicationData() instanceof ScreeningAnswer refusal) {
            if (mayAnswer(channel)) {
                send(channel, refusal.asResponse(), refusal.status(), refusal.reason());
            }
            return false;
        }
        if (!admittedToDialog(request, channel)) {
            return false;
        }
        ContactTransportPin.pin(request, channel.getTransport());
        Limit current = limit.get();
        if (current == null || isExempt(request) || current.trusted().test(request.getRemoteAddress())
                || current.limiter().admit(request.getRemoteAddress())) {
            return true;
        }
        if (current.reject503() && !Request.ACK.equals(request.getMethod()) && mayAnswer(channel)) {
            answer(request, channel, Response.SERVICE_UNAVAILABLE, "Service Unavailable",
                    current.limiter().secondsUntilAdmitted());
        }
        return false;
    }

    /**
     * False when the guard refused a stranger's request in one of the stack's dialogs (answered 403
     * from here, statelessly, to where it came from; an ACK gets nothing). A CANCEL changes no dialog
     * state: the pipeline matches it to its INVITE.
     */
    private boolean admittedToDialog(SIPRequest request, MessageChannel channel) {
        Function<InboundRequest, Verdict> guard = DIALOG_GUARDS.get(stackName);
        SIPTransactionStack current = stack;
        if (guard == null || current == null || request.getToTag() == null || Request.CANCEL.equals(request.getMethod())) {
            return true;
        }
        SIPDialog dialog = current.getDialog(request.getDialogId(true));
        if (dialog == null) {
            return true;
        }
        Verdict verdict;
        try {
            verdict = guard.apply(InboundRequest.screened(request, channel, dialog));
        } catch (RuntimeException e) {
            LOG.warn("dialog guard failed on {} {}: {}", request.getMethod(), request.getCallId().getCallId(), e.toString());
            return true; // the pipeline's own peer check still judges it
        }
        if (verdict.proceeds()) {
            return true;
        }
        if (verdict.kind() != Verdict.Kind.DROP) {
            answer(request, channel, verdict.status(), verdict.reason(), 0);
        }
        return false;
    }

    private boolean mayAnswer(MessageChannel channel) {
        Transport transport;
        try {
            transport = Transport.valueOf(channel.getTransport().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            return false; // a transport we never listen on
        }
        return answerable.mayAnswer(channel.getPort(), transport, channel.getPeerPacketSourceAddress(),
                channel.getPeerPacketSourcePort());
    }

    /** ACKs and requests of dialogs that exist: the calls already up are never throttled. */
    private boolean isExempt(SIPRequest request) {
        if (Request.ACK.equals(request.getMethod())) {
            return true;
        }
        if (request.getToTag() == null) {
            return false;
        }
        SIPTransactionStack current = stack;
        return current != null && current.getDialog(request.getDialogId(true)) != null;
    }

    private static void answer(SIPRequest request, MessageChannel channel, int status, String reason, int retryAfter) {
        if (Request.ACK.equals(request.getMethod())) {
            return;
        }
        try {
            SIPResponse response = request.createResponse(status, reason);
            if (response.getTo().getTag() == null) {
                response.getTo().setTag(org.sipshield.proxy.transport.SipIdentifiers.tag());
            }
            if (retryAfter > 0) {
                RetryAfterHeader header = new gov.nist.javax.sip.header.RetryAfter();
                header.setRetryAfter(retryAfter);
                response.setHeader(header);
            }
            send(channel, response, status, reason);
        } catch (ParseException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.debug("could not answer {} {}: {}", status, reason, e.toString());
        }
    }

    private static void send(MessageChannel channel, SIPResponse response, int status, String reason) {
        try {
            channel.sendMessage(response);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not answer {} {}: {}", status, reason, e.toString());
        }
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        ContactTransportPin.pin(response, channel.getTransport());
        return true;
    }

    @Override
    public void destroy() {
    }
}
