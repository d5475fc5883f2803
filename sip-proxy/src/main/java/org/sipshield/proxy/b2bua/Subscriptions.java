package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.proxy.pipeline.InboundRequest;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event subscriptions (RFC 6665: presence, and any SUBSCRIBE the ACLs let through; an out-of-dialog
 * REFER's implicit one, RFC 3515, whose NOTIFYs carry sipfrag) relayed as two dialogs: the request
 * opens one towards the routed target and one with the subscriber; its 2xx, the notifier's NOTIFYs
 * and the subscriber's refreshes and un-SUBSCRIBE cross in-dialog, each request rebuilt for the
 * other leg (LegRequests) and its final answer sent back. A request on a leg is accepted only from
 * that leg's peer (LegPeer, as for calls). A subscription ends with a NOTIFY saying Subscription-State: terminated, a failed SUBSCRIBE, or when its expiry passes
 * (looked at lazily: what arrives afterwards gets 481, and each new subscription sweeps the expired).
 * A trunk's challenge to a request we send on it is answered once with its SIP Realm credentials
 * (TrunkChallengeResponder, as for calls); one we cannot answer reaches the other leg as 403. The
 * subscriber may CANCEL its SUBSCRIBE while it is pending: 200, and the SUBSCRIBE runs its course
 * (RFC 3261 9.1-9.2). An out-of-dialog REFER's Refer-To is rewritten for the referee (Transfers).
 * Just over 400 lines: a subscription's whole life under its one monitor, kept in one place.
 */
final class Subscriptions {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");
    /** Expires: 0 leaves time for the notifier's final NOTIFY: one transaction's lifetime (RFC 3261 Timer F). */
    private static final long UNSUBSCRIBE_GRACE_SECONDS = 32;
    /** RFC 3856's default for presence when neither side says. */
    private static final int DEFAULT_EXPIRES_SECONDS = 3600;

    private final SipMessaging sip;
    private final LegRequests legRequests;
    private final Map<Dialog, Subscription> byDialog = new ConcurrentHashMap<>();
    /** Leg B by our own Call-ID: a NOTIFY that overtakes the 2xx may reach us in a dialog jain-sip made for it. */
    private final Map<String, Subscription> byCallIdB = new ConcurrentHashMap<>();
    private final Map<ClientTransaction, Pending> pending = new ConcurrentHashMap<>();
    /** Subscriptions not yet answered by the subscriber's SUBSCRIBE as a CANCEL names it (CallRegistry.originKey). */
    private final Map<String, Subscription> byOrigin = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastSweepNanos = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime() - TimeUnit.SECONDS.toNanos(2));

    /** A request we sent on a subscription for its origin, towards one leg; answer: the credentials it carried. */
    private record Pending(Subscription subscription, Call.Side towards, ServerTransaction origin, DigestAnswer answer) {
        Pending(Subscription subscription, Call.Side towards, ServerTransaction origin) {
            this(subscription, towards, origin, null);
        }
    }

    private final TrunkChallengeResponder challenges;
    private final Transfers transfers;

    Subscriptions(SipMessaging sip, LegRequests legRequests, TrunkChallengeResponder challenges, Transfers transfers) {
        this.sip = sip;
        this.legRequests = legRequests;
        this.challenges = challenges;
        this.transfers = transfers;
    }

    /** A SUBSCRIBE out of any dialog: leg B to the target's first hop we have a listener for; 503 when none. */
    void start(InboundRequest inbound, Target target) throws SipException, ParseException, InvalidArgumentException {
        sweep();
        for (Hop hop : target.hops()) {
            SipProvider provider = sip.provider(hop.transport());
            if (provider == null) {
                continue;
            }
            Request request = legRequests.towards(inbound.request(), inbound.method(), hop, provider, inbound.peer(),
                    target.peer());
            request.addHeader(sip.contact(provider, LegRequests.callerUser(request)));
            if (Request.REFER.equals(inbound.method()) && !transfers.cross(transfers.name(inbound.request()),
                    inbound.request(), inbound.peer(), target.peer(), provider, request)) {
                inbound.transaction().sendResponse(sip.messages.createResponse(Response.FORBIDDEN, inbound.request()));
                return;
            }
            ClientTransaction transaction = provider.getNewClientTransaction(request);
            Subscription subscription = new Subscription(inbound.peer(), target,
                    ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId(), inbound.provider(),
                    inbound.provider().getNewDialog(inbound.transaction()), SipMessaging.newTag(), LegPeer.of(inbound),
                    inbound.transaction());
            synchronized (subscription) {
                subscription.retarget(Call.Side.A, inbound.request());
                subscription.providerB = provider;
                subscription.dialogB = provider.getNewDialog(transaction);
                subscription.peerB = LegPeer.ofHop(hop);
                byDialog.put(subscription.dialogA, subscription);
                byDialog.put(subscription.dialogB, subscription);
                byCallIdB.put(subscription.callIdB, subscription);
                byOrigin.put(CallRegistry.originKey(inbound.request()), subscription);
                pending.put(transaction, new Pending(subscription, Call.Side.B, inbound.transaction()));
                transaction.sendRequest();
            }
            CALLS.info("{}: {} ({}) to {}", subscription, inbound.method(), header(request, "Event"), hop);
            return;
        }
        inbound.transaction().sendResponse(sip.messages.createResponse(Response.SERVICE_UNAVAILABLE, inbound.request()));
    }

    private Subscription find(InboundRequest inbound) {
        Subscription subscription = inbound.dialog() == null ? null : byDialog.get(inbound.dialog());
        return subscription != null ? subscription : byCallIdB.get(inbound.callId());
    }

    private static Call.Side sideOf(Subscription subscription, InboundRequest inbound) {
        return subscription.callIdB.equals(inbound.callId()) ? Call.Side.B : Call.Side.A;
    }

    /** As {@link B2bua#match} for a call: the subscription leg a request names, and whether its peer sent it. */
    DialogMatch match(InboundRequest inbound, SecurityModel model) {
        Subscription subscription = find(inbound);
        if (subscription == null) {
            return new DialogMatch.NoCall();
        }
        synchronized (subscription) {
            if (subscription.isOver(System.nanoTime())) {
                forget(subscription);
                return new DialogMatch.NoCall();
            }
            Call.Side from = sideOf(subscription, inbound);
            LegPeer legPeer = subscription.legPeer(from);
            Optional<String> mismatch = legPeer == null ? Optional.of("the leg has not answered yet")
                    : legPeer.mismatch(inbound, subscription.peer(from), model);
            if (mismatch.isPresent()) {
                return new DialogMatch.Stranger(subscription.peer(from), mismatch.get());
            }
            return new DialogMatch.Leg(subscription.peer(from));
        }
    }

    /** A request in a subscription's dialog, relayed to the other leg; false when it names none (481). */
    boolean inDialog(InboundRequest inbound) throws SipException, ParseException, InvalidArgumentException {
        Subscription subscription = find(inbound);
        if (subscription == null) {
            return false;
        }
        synchronized (subscription) {
            if (subscription.isOver(System.nanoTime())) {
                forget(subscription);
                return false;
            }
            Call.Side from = sideOf(subscription, inbound);
            if (!subscription.confirmed) { // a NOTIFY that overtook the 2xx: leg A's dialog is not up yet
                if (from == Call.Side.A || subscription.held.size() >= Subscription.MAX_HELD) {
                    inbound.transaction().sendResponse(sip.messages.createResponse(Response.REQUEST_PENDING,
                            inbound.request()));
                } else {
                    subscription.retarget(from, inbound.request());
                    subscription.held.add(new Subscription.Held(inbound.request(), inbound.transaction()));
                }
                return true;
            }
            subscription.retarget(from, inbound.request());
            relay(subscription, from.other(), inbound.request(), inbound.transaction());
            return true;
        }
    }

    private void relay(Subscription subscription, Call.Side towards, Request request, ServerTransaction origin)
            throws SipException, ParseException {
        Dialog dialog = subscription.dialog(towards);
        Request out = legRequests.inDialog(dialog, request.getMethod(), subscription.provider(towards));
        if (subscription.target(towards) != null) {
            out.setRequestURI(subscription.target(towards));
        }
        legRequests.copyRequest(request, out);
        ClientTransaction transaction = subscription.provider(towards).getNewClientTransaction(out);
        pending.put(transaction, new Pending(subscription, towards, origin));
        dialog.sendRequest(transaction);
        if (Request.NOTIFY.equals(request.getMethod()) && isTerminated(request)) {
            subscription.ended = true; // its answer still crosses back; anything after it gets 481
            CALLS.info("{}: terminated by the notifier", subscription);
        }
    }

    /** The final answer to a request we sent on a subscription; false when the transaction is not one of ours. */
    boolean response(ResponseEvent event) throws SipException, ParseException, InvalidArgumentException {
        ClientTransaction transaction = event.getClientTransaction();
        Response response = event.getResponse();
        if (response.getStatusCode() < 200) {
            return pending.containsKey(transaction);
        }
        Pending sent = pending.remove(transaction);
        if (sent == null) {
            return false;
        }
        Subscription subscription = sent.subscription();
        synchronized (subscription) {
            if (TrunkChallengeResponder.isChallenge(response) && retryChallenged(sent, transaction, response)) {
                return true;
            }
            int status = TrunkChallengeResponder.isChallenge(response) ? Response.FORBIDDEN : response.getStatusCode();
            Request origin = sent.origin().getRequest();
            Response back = sip.messages.createResponse(status, origin);
            ToHeader to = (ToHeader) back.getHeader(ToHeader.NAME);
            if (to.getTag() == null) {
                to.setTag(subscription.localTagA);
            }
            if (status != Response.FORBIDDEN) {
                legRequests.copyCrossing(response, back);
                sip.copyBody(response, back);
            }
            boolean initial = sent.origin() == subscription.subscribe;
            boolean subscribe = initial || Request.SUBSCRIBE.equals(origin.getMethod());
            if (subscribe && status < 300) {
                back.addHeader(sip.contact(subscription.providerA, null));
                if (initial) {
                    subscription.retarget(Call.Side.B, response);
                    subscription.peerB = LegPeer.ofAnswer(response, transaction, LegRequests.transportOf(transaction.getRequest()));
                    if (event.getDialog() != null && event.getDialog() != subscription.dialogB) {
                        byDialog.remove(subscription.dialogB, subscription);
                        subscription.dialogB = event.getDialog();
                        byDialog.put(event.getDialog(), subscription);
                    }
                }
                subscription.expiresAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(expiresSeconds(response, origin));
            }
            sent.origin().sendResponse(back);
            if (initial) {
                if (status >= 300) {
                    end(subscription);
                    return true;
                }
                subscription.confirmed = true;
                byOrigin.remove(CallRegistry.originKey(origin), subscription);
                CALLS.info("{}: active", subscription);
                for (Subscription.Held held : subscription.held) {
                    relay(subscription, Call.Side.A, held.request(), held.transaction());
                }
                subscription.held.clear();
            }
            if (subscription.ended && Request.NOTIFY.equals(origin.getMethod())) {
                forget(subscription);
            }
        }
        return true;
    }

    /**
     * Sends a challenged request again with the trunk's credentials, once (TrunkChallengeResponder).
     * The first SUBSCRIBE's retry makes leg B's dialog afresh (the challenge ended the first); later
     * requests go through the dialog, which keeps its CSeq in step. Under the subscription's monitor.
     */
    private boolean retryChallenged(Pending sent, ClientTransaction challenged, Response challenge)
            throws SipException, ParseException, InvalidArgumentException {
        Subscription subscription = sent.subscription();
        SipProvider provider = subscription.provider(sent.towards());
        Optional<TrunkChallengeResponder.Retry> retry = challenges.retry(challenged.getRequest(), challenge,
                subscription.peer(sent.towards()), sent.answer(), provider);
        if (retry.isEmpty() || subscription.ended) {
            return false;
        }
        ClientTransaction next = provider.getNewClientTransaction(retry.get().request());
        pending.put(next, new Pending(subscription, sent.towards(), sent.origin(), retry.get().answer()));
        if (sent.origin() == subscription.subscribe) {
            Dialog fresh = provider.getNewDialog(next);
            byDialog.remove(subscription.dialogB, subscription);
            subscription.dialogB.delete();
            subscription.dialogB = fresh;
            byDialog.put(fresh, subscription);
            next.sendRequest();
        } else {
            subscription.dialog(sent.towards()).sendRequest(next);
        }
        return true;
    }

    /**
     * A CANCEL of a SUBSCRIBE still waiting for the notifier's answer, and whether it came from the
     * subscriber (as {@link #match}); NoCall when it names no pending SUBSCRIBE.
     */
    DialogMatch matchCancel(InboundRequest inbound, SecurityModel model) {
        Subscription subscription = byOrigin.get(CallRegistry.originKey(inbound.request()));
        if (subscription == null) {
            return new DialogMatch.NoCall();
        }
        synchronized (subscription) {
            if (subscription.confirmed || subscription.ended) {
                return new DialogMatch.NoCall();
            }
            Optional<String> mismatch = subscription.peerA.mismatch(inbound, subscription.subscriber, model);
            return mismatch.isPresent() ? new DialogMatch.Stranger(subscription.subscriber, mismatch.get())
                    : new DialogMatch.Leg(subscription.subscriber);
        }
    }

    /**
     * The subscriber's CANCEL of its pending SUBSCRIBE: RFC 3261 9.2 answers it 200 and leaves a
     * non-INVITE request to run its course (9.1: a CANCEL of one is not sent on), so the notifier's
     * final answer still crosses back. False when it names no pending SUBSCRIBE (481).
     */
    boolean cancel(InboundRequest inbound) throws SipException, ParseException, InvalidArgumentException {
        Subscription subscription = byOrigin.get(CallRegistry.originKey(inbound.request()));
        if (subscription == null) {
            return false;
        }
        synchronized (subscription) {
            if (subscription.confirmed || subscription.ended) {
                return false;
            }
            inbound.transaction().sendResponse(sip.messages.createResponse(Response.OK, inbound.request()));
            CALLS.info("{}: CANCEL of the pending SUBSCRIBE answered; the notifier's answer decides", subscription);
            return true;
        }
    }

    /** A request we sent on a subscription got no answer: 408 to its origin; false when it is not one of ours. */
    boolean timeout(ClientTransaction transaction) {
        Pending sent = pending.remove(transaction);
        if (sent == null) {
            return false;
        }
        synchronized (sent.subscription()) {
            try {
                sent.origin().sendResponse(sip.messages.createResponse(Response.REQUEST_TIMEOUT, sent.origin().getRequest()));
            } catch (SipException | ParseException | InvalidArgumentException e) {
                LOG.debug("408 towards the origin: {}", e.getMessage());
            }
            if (sent.origin() == sent.subscription().subscribe) {
                end(sent.subscription());
            }
        }
        return true;
    }

    int active() {
        return byCallIdB.size();
    }

    /** Seconds until the subscription lapses: the 2xx's Expires, else the request's; 0 keeps a grace for the last NOTIFY. */
    private static long expiresSeconds(Response response, Request request) {
        ExpiresHeader expires = (ExpiresHeader) response.getHeader(ExpiresHeader.NAME);
        if (expires == null) {
            expires = (ExpiresHeader) request.getHeader(ExpiresHeader.NAME);
        }
        int seconds = expires == null ? DEFAULT_EXPIRES_SECONDS : expires.getExpires();
        return seconds == 0 ? UNSUBSCRIBE_GRACE_SECONDS : seconds;
    }

    private static boolean isTerminated(Request notify) {
        return notify.getHeader(SubscriptionStateHeader.NAME) instanceof SubscriptionStateHeader state
                && SubscriptionStateHeader.TERMINATED.equalsIgnoreCase(state.getState());
    }

    /** At most once a second, so a burst of SUBSCRIBEs does not walk every subscription each time. */
    private void sweep() {
        long now = System.nanoTime();
        long last = lastSweepNanos.get();
        if (now - last < TimeUnit.SECONDS.toNanos(1) || !lastSweepNanos.compareAndSet(last, now)) {
            return;
        }
        for (Subscription subscription : byCallIdB.values()) {
            synchronized (subscription) {
                if (subscription.isOver(now) && subscription.held.isEmpty()) {
                    forget(subscription);
                }
            }
        }
    }

    /** It never came up: NOTIFYs that waited for its 2xx learn it does not exist. Under its monitor. */
    private void end(Subscription subscription) {
        subscription.ended = true;
        for (Subscription.Held held : subscription.held) {
            try {
                held.transaction().sendResponse(sip.messages.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST,
                        held.request()));
            } catch (SipException | ParseException | InvalidArgumentException e) {
                LOG.debug("481 to a held NOTIFY: {}", e.getMessage());
            }
        }
        subscription.held.clear();
        forget(subscription);
    }

    /** Called under the subscription's monitor. */
    private void forget(Subscription subscription) {
        if (byCallIdB.remove(subscription.callIdB, subscription)) {
            CALLS.info("{}: ended", subscription);
        }
        byDialog.remove(subscription.dialogA, subscription);
        byDialog.remove(subscription.dialogB, subscription);
        byOrigin.remove(CallRegistry.originKey(subscription.subscribe.getRequest()), subscription);
        // no BYE ends these dialogs: without delete, jain-sip would keep them in its table
        subscription.dialogA.delete();
        subscription.dialogB.delete();
        // a request still pending on it is forgotten at its answer or timeout, like any other
    }

    private static String header(Request request, String name) {
        var header = request.getHeader(name);
        return header == null ? "no Event" : header.toString().substring(name.length() + 1).trim();
    }
}
