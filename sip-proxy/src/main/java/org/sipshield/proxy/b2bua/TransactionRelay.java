package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.Optional;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.proxy.pipeline.InboundRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests relayed as one transaction each: out of any dialog (SUBSCRIBE, NOTIFY, REFER, MESSAGE,
 * INFO, PUBLISH towards a target), and inside a call from one leg to the other (re-INVITE, UPDATE,
 * INFO, REFER, NOTIFY...). The final answer crosses back rebuilt; a trunk's challenge is answered
 * once on the way (TrunkChallengeResponder); one that cannot be answered crosses as 403. Within a
 * call, every method is called under the call's monitor.
 */
final class TransactionRelay {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionRelay.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");

    private final SipMessaging sip;
    private final SdpRewriter sdp;
    private final CallRegistry registry;
    private final LegRequests legRequests;
    private final TrunkChallengeResponder challenges;
    private final SecurityStatus security;
    private final OwedAcks acks;
    private final SessionTimers timers;
    private final Transfers transfers;

    TransactionRelay(SipMessaging sip, SdpRewriter sdp, CallRegistry registry, LegRequests legRequests,
            TrunkChallengeResponder challenges, SecurityStatus security, OwedAcks acks, SessionTimers timers,
            Transfers transfers) {
        this.timers = timers;
        this.transfers = transfers;
        this.sip = sip;
        this.sdp = sdp;
        this.registry = registry;
        this.legRequests = legRequests;
        this.challenges = challenges;
        this.security = security;
        this.acks = acks;
    }

    /** Out of any dialog: sent to the target's first hop we have a listener for; 503 when there is none. */
    void outOfDialog(InboundRequest inbound, Target target) throws SipException, ParseException, InvalidArgumentException {
        for (Hop hop : target.hops()) {
            SipProvider provider = sip.provider(hop.transport());
            if (provider == null) {
                continue;
            }
            Request request = legRequests.towards(inbound.request(), inbound.method(), hop, provider, inbound.peer(),
                    target.peer());
            if (Request.SUBSCRIBE.equals(inbound.method()) || Request.REFER.equals(inbound.method())) {
                request.addHeader(sip.contact(provider, LegRequests.callerUser(request)));
            }
            ClientTransaction transaction = provider.getNewClientTransaction(request);
            registry.relay(transaction, new CallRegistry.Relay(inbound.transaction(), null, null, target.peer(), null));
            transaction.sendRequest();
            return;
        }
        inbound.transaction().sendResponse(sip.messages.createResponse(Response.SERVICE_UNAVAILABLE, inbound.request()));
    }

    /**
     * A request inside a confirmed call, from one leg to the other (491 while the other leg is not
     * up); a REFER's Refer-To as {@code referral} read it, rewritten for the referee (Transfers).
     */
    void inDialog(Call call, Call.Side from, Request request, ServerTransaction transaction, Transfers.Referral referral)
            throws SipException, ParseException, InvalidArgumentException {
        String method = request.getMethod();
        Call.Side towards = from.other();
        Dialog other = call.dialog(towards);
        if (other == null || other.getState() != javax.sip.DialogState.CONFIRMED) {
            transaction.sendResponse(sip.messages.createResponse(Response.REQUEST_PENDING, request));
            return;
        }
        if (timers.refuseTooSmall(request, transaction)) {
            return;
        }
        Request out = legRequests.inDialog(other, method, call.provider(towards));
        legRequests.copyRequest(request, out);
        if (Request.REFER.equals(method)
                && !transfers.cross(referral, request, call.peer(from), call.peer(towards), call.provider(towards), out)) {
            CALLS.info("{}: REFER from leg {} refused: its Refer-To names no number, or a dialog not of its sender", call, from);
            transaction.sendResponse(sip.messages.createResponse(Response.FORBIDDEN, request));
            return;
        }
        timers.onRequest(call, towards, out);
        if (Request.INVITE.equals(method) || Request.UPDATE.equals(method)) {
            byte[] body = SipMessaging.body(request);
            try {
                sip.setSdp(out, body == null ? null : sdp.rewrite(call, from, body));
            } catch (SdpRejectedException e) {
                LOG.info("{}: {} from leg {} refused: {}", call, method, from, e.reason());
                transaction.sendResponse(sip.messages.createResponse(e.status(), request));
                return;
            }
        }
        ClientTransaction relayed = call.provider(towards).getNewClientTransaction(out);
        registry.relay(relayed, new CallRegistry.Relay(transaction, call, towards));
        other.sendRequest(relayed);
    }

    /**
     * The CANCEL of a relayed re-INVITE: the far leg answers its INVITE 487, and that final answer
     * crosses back as usual; the call goes on. False when the key names no relayed re-INVITE.
     */
    boolean cancelReInvite(String originKey, Request cancel, ServerTransaction transaction)
            throws SipException, ParseException, InvalidArgumentException {
        ClientTransaction reInvite = registry.reInviteByOrigin(originKey);
        CallRegistry.Relay relay = reInvite == null ? null : registry.relayOf(reInvite);
        if (relay == null || relay.call() == null) {
            return false;
        }
        transaction.sendResponse(sip.messages.createResponse(Response.OK, cancel));
        synchronized (relay.call()) {
            try {
                relay.call().provider(relay.towards()).getNewClientTransaction(reInvite.createCancel()).sendRequest();
                CALLS.info("{}: re-INVITE cancelled by leg {}", relay.call(), relay.towards().other());
            } catch (SipException e) {
                LOG.debug("{}: CANCEL of a re-INVITE: {}", relay.call(), e.getMessage());
            }
        }
        return true;
    }

    /**
     * A relayed request's (or our own BYE's or UPDATE's) final answer: a challenge of the peer it
     * went to is answered and the request sent again, once; anything else goes back to the origin.
     */
    void finalResponse(CallRegistry.Relay relay, ClientTransaction transaction, Response response, Dialog dialog)
            throws SipException, ParseException, InvalidArgumentException {
        if (TrunkChallengeResponder.isChallenge(response) && retryChallenged(relay, transaction.getRequest(), response)) {
            return;
        }
        relayResponse(relay, transaction, response, dialog);
    }

    /** A relayed request got no answer at all: 408 to its origin. */
    void timeout(ClientTransaction transaction) {
        CallRegistry.Relay relay = registry.finishRelay(transaction);
        if (relay != null && relay.origin() != null) {
            try {
                relay.origin().sendResponse(sip.messages.createResponse(Response.REQUEST_TIMEOUT, relay.origin().getRequest()));
            } catch (SipException | ParseException | InvalidArgumentException e) {
                LOG.debug("408 towards the origin: {}", e.getMessage());
            }
        }
    }

    /**
     * Sends the challenged request again with our credentials, registered as the same relay so its
     * answer (and a CANCEL of a re-INVITE) finds its origin. Inside a dialog it goes through the
     * dialog, which keeps its local CSeq consistent: the ACK of a 2xx to an authenticated
     * re-INVITE is then built for the retry's CSeq. False when it cannot be answered.
     */
    private boolean retryChallenged(CallRegistry.Relay relay, Request sent, Response challenge) throws ParseException,
            InvalidArgumentException {
        Call call = relay.call();
        SipProvider provider = call != null ? call.provider(relay.towards()) : sip.provider(LegRequests.transportOf(sent));
        if (provider == null) {
            return false;
        }
        Optional<TrunkChallengeResponder.Retry> retry = challenges.retry(sent, challenge, relay.addressee(),
                relay.answer(), provider);
        if (retry.isEmpty()) {
            return false;
        }
        Dialog dialog = call != null && ((ToHeader) sent.getHeader(ToHeader.NAME)).getTag() != null
                ? call.dialog(relay.towards()) : null;
        ClientTransaction next = null;
        try {
            next = provider.getNewClientTransaction(retry.get().request());
            registry.relay(next, new CallRegistry.Relay(relay.origin(), call, relay.towards(), relay.peer(),
                    retry.get().answer()));
            if (dialog != null) {
                dialog.sendRequest(next);
            } else {
                next.sendRequest();
            }
            return true;
        } catch (SipException e) {
            LOG.info("{}: cannot send the authenticated {} again: {}", call != null ? call : "out of dialog",
                    sent.getMethod(), e.getMessage());
            if (next != null) {
                registry.finishRelay(next);
            }
            return false;
        }
    }

    private void relayResponse(CallRegistry.Relay relay, ClientTransaction transaction, Response response, Dialog dialog)
            throws SipException, ParseException, InvalidArgumentException {
        Request sent = transaction.getRequest();
        String method = sent.getMethod();
        Call call = relay.call();
        boolean unanswered = TrunkChallengeResponder.isChallenge(response);
        // a challenge we could not answer: the origin's peer could not either, and must not learn the realm
        int status = unanswered ? Response.FORBIDDEN : response.getStatusCode();
        byte[] body = unanswered ? null : SipMessaging.body(response);
        boolean inviteOk = Request.INVITE.equals(method) && status < 300 && dialog != null;
        // a re-INVITE without SDP: this 2xx offers, and the origin's ACK will bring the answer
        boolean offerIn2xx = inviteOk && call != null && relay.origin() != null && OwedAcks.offers(response, sent);
        if (inviteOk && !offerIn2xx) {
            acks.acknowledge(dialog, response, sent);
        }
        boolean refreshed = call != null && status < 300 && (Request.INVITE.equals(method) || Request.UPDATE.equals(method));
        if (refreshed) { // RFC 4028: any successful re-INVITE or UPDATE refreshes the session of its leg
            timers.refreshed(call, relay.towards());
        }
        if (relay.origin() == null) {
            return; // a BYE or UPDATE we sent ourselves
        }
        if (refreshed) {
            timers.refreshed(call, relay.towards().other());
        }
        Response back = sip.messages.createResponse(status, relay.origin().getRequest());
        back.setReasonPhrase(unanswered ? "Forbidden" : response.getReasonPhrase());
        if (status >= 200 && ((ToHeader) back.getHeader(ToHeader.NAME)).getTag() == null) {
            ((ToHeader) back.getHeader(ToHeader.NAME)).setTag(SipMessaging.newTag());
        }
        legRequests.copyCrossing(response, back);
        if (call != null && Request.INVITE.equals(method) && status < 300) { // as on the call's first answers
            legRequests.carryAnswerIdentity(response, call, relay.towards(), back);
        }
        boolean offerAnswer = call != null && (Request.INVITE.equals(method) || Request.UPDATE.equals(method));
        if (offerAnswer && body != null) {
            try {
                byte[] rewritten = sdp.rewrite(call, relay.towards(), body);
                sip.setSdp(back, rewritten);
                if (offerIn2xx) {
                    acks.owe(call, relay.towards(), dialog, response, sent);
                } else if (status < 300) { // an answer: what each leg's media now is
                    call.encryptedUnder(relay.towards(), MediaEncryption.encryptedUnder(body));
                    call.encryptedUnder(relay.towards().other(), MediaEncryption.encryptedUnder(rewritten));
                }
            } catch (SdpRejectedException e) {
                LOG.info("{}: SDP {} from leg {} refused: {}", call, offerIn2xx ? "offer" : "answer", relay.towards(),
                        e.reason());
                if (offerIn2xx) {
                    acks.acknowledge(dialog, response, sent);
                }
            }
        } else if (!unanswered) {
            sip.copyBody(response, back);
        }
        if (status < 300 && call != null && (offerAnswer || Request.SUBSCRIBE.equals(method))) {
            back.addHeader(sip.contact(call.provider(relay.towards().other()), null));
        }
        if (offerAnswer && status < 300) {
            security.tell(call, relay.towards().other(), back);
            timers.onAnswer(call, relay.towards().other(), relay.origin().getRequest(), back);
        }
        relay.origin().sendResponse(back);
        if (offerAnswer && status < 300) {
            security.announce(call, relay.towards()); // the answering leg learns a change in an UPDATE
        }
    }
}
