package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.proxy.pipeline.AdmissionControl;
import org.sipshield.proxy.pipeline.CallAdmission;
import org.sipshield.proxy.pipeline.InboundRequest;
import org.sipshield.proxy.pipeline.Verdict;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back-to-back user agent. Every call is two dialogs that share nothing on the wire: the
 * caller's (leg A, we answer it) and ours towards the target (leg B, we place it). This class is
 * the B2BUA's face to the request handler: it finds the call an event belongs to (CallRegistry),
 * takes the call's monitor (the locking rule, DESIGN.md "Threads and locks") and hands the event
 * to the part whose job it is: the first INVITE (InviteSession), requests relayed as one
 * transaction (TransactionRelay), the owed ACK of a delayed offer (OwedAcks), ending calls
 * (CallTermination), the security status (SecurityStatus); requests are rebuilt for the other leg
 * by LegRequests and a trunk's challenge is answered by TrunkChallengeResponder.
 *
 * <p>Over 400 lines because every entry takes the monitors here and nowhere else: what one call
 * needs of another (a transfer's Replaces) is read before its own is taken, and what it does to
 * another (ending the replaced call) after its own is left, which only this face can order.
 */
public final class B2bua {
    private static final Logger LOG = LoggerFactory.getLogger(B2bua.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");

    private final SipMessaging sip;
    private final Supplier<SecurityModel> model;
    private final CallRegistry registry = new CallRegistry();
    private final InviteSession invites;
    private final TransactionRelay relay;
    private final OwedAcks acks;
    private final SecurityStatus security;
    private final CallTermination termination;
    private final SessionTimers timers;
    private final CallAdmission admission;
    private final SdpRewriter sdp;
    private final Subscriptions subscriptions;
    private final TrunkHealth trunkHealth;
    private final TrunkPings pings;
    private final Transfers transfers;

    public B2bua(SipMessaging sip, Supplier<SecurityModel> model, SdpRewriter sdp, CallAdmission admission,
            java.time.Clock clock) {
        this.sip = sip;
        this.model = model;
        this.admission = admission;
        this.sdp = sdp;
        LegRequests legRequests = new LegRequests(sip);
        TrunkChallengeResponder challenges = new TrunkChallengeResponder(sip, model);
        this.security = new SecurityStatus(sip, model, registry, legRequests);
        this.termination = new CallTermination(sip, sdp, registry, legRequests);
        this.timers = new SessionTimers(model, sip, legRequests, registry, termination);
        this.acks = new OwedAcks(sip, sdp, termination);
        this.transfers = new Transfers(sip, registry);
        this.relay = new TransactionRelay(sip, sdp, registry, legRequests, challenges, security, acks, timers, transfers);
        this.subscriptions = new Subscriptions(sip, legRequests, challenges, transfers);
        this.invites = new InviteSession(sip, sdp, registry, legRequests, challenges, security, termination, acks, timers);
        this.trunkHealth = new TrunkHealth(clock);
        this.pings = new TrunkPings(sip, model, challenges, trunkHealth);
    }

    /** Starts the trunks' OPTIONS pings (once the SIP stack runs). */
    public void startTrunkPings() {
        pings.start();
    }

    /** What the pings learnt of each trunk destination: routing, metrics and the admin API read it. */
    public TrunkHealth trunkHealth() {
        return trunkHealth;
    }

    /** Stops the call clocks' and the pings' threads; calls still up are ended by the drain, not here. */
    public void close() {
        pings.close();
        timers.close();
    }

    public int activeCalls() {
        return registry.activeCalls();
    }

    /**
     * A new call towards a routed target. A Session-Expires below our Min-SE gets 422 (RFC 4028 9);
     * the target's concurrent-out limit is checked here, where the target is known, and the call
     * takes over the caller's slot (AdmissionControl's) and its own.
     */
    public void invite(InboundRequest inbound, Target target) throws SipException, ParseException, InvalidArgumentException {
        CallAdmission.Lease in = inbound.takeAdmission();
        if (timers.refuseTooSmall(inbound.request(), inbound.transaction())) {
            release(in);
            return;
        }
        Transfers.Replacement replacement = transfers.replacing(inbound.request(), inbound.peer());
        if (replacement instanceof Transfers.Replacement.Refused refused) {
            release(in);
            CALLS.info("INVITE with Replaces from {} refused: {}", inbound.peer().describe(), refused.status());
            refuse(inbound, Verdict.respond(refused.status(), refused.reason()));
            return;
        }
        CallAdmission.Decision out = admission.admitTowards(target.peer());
        if (!out.admitted()) {
            release(in);
            refuse(inbound, AdmissionControl.refusal(target.peer(), out.refusedBy(),
                    inbound.source().getAddress().getHostAddress()));
            return;
        }
        java.util.List<CallAdmission.Lease> leases = new java.util.ArrayList<>(2);
        if (in != null) {
            leases.add(in);
        }
        leases.add(out.lease());
        invites.start(inbound, target, leases, (Transfers.Replacement.Mapped) replacement);
    }

    private void refuse(InboundRequest inbound, Verdict refusal) throws SipException, ParseException, InvalidArgumentException {
        Response response = sip.messages.createResponse(refusal.status(), inbound.request());
        response.setReasonPhrase(refusal.reason());
        for (var header : refusal.headers()) {
            response.addHeader(sip.headers.createHeader(header.getKey(), header.getValue()));
        }
        inbound.transaction().sendResponse(response);
    }

    private static void release(CallAdmission.Lease lease) {
        if (lease != null) {
            lease.release();
        }
    }

    /**
     * NOTIFY, MESSAGE, INFO, PUBLISH outside a dialog: relayed as one transaction; SUBSCRIBE and
     * REFER (its implicit subscription, RFC 3515) open a subscription dialog on each leg (Subscriptions).
     */
    public void relayOutOfDialog(InboundRequest inbound, Target target) throws SipException, ParseException,
            InvalidArgumentException {
        if (Request.SUBSCRIBE.equals(inbound.method()) || Request.REFER.equals(inbound.method())) {
            subscriptions.start(inbound, target); // a dialog on each leg: its NOTIFYs cross in-dialog
            return;
        }
        relay.outOfDialog(inbound, target);
    }

    /**
     * The call leg a request inside a dialog (or a CANCEL) belongs to, and whether it came from that
     * leg's peer ({@link LegPeer}): what the pipeline checks before {@link #inDialog} or {@link #cancel}.
     */
    public DialogMatch match(InboundRequest inbound) {
        Request request = inbound.request();
        Call call;
        Call.Side from;
        if (Request.CANCEL.equals(request.getMethod())) {
            String key = CallRegistry.originKey(request);
            call = registry.byCallIdA(inbound.callId());
            from = Call.Side.A;
            if (call == null || !key.equals(CallRegistry.originKey(call.inviteA.getRequest()))) {
                ClientTransaction reInvite = registry.reInviteByOrigin(key);
                CallRegistry.Relay relayed = reInvite == null ? null : registry.relayOf(reInvite);
                if (relayed == null || relayed.call() == null) {
                    return subscriptions.matchCancel(inbound, model.get());
                }
                call = relayed.call();
                from = relayed.towards().other();
            }
        } else {
            call = registry.byDialog(inbound.dialog());
            if (call == null) {
                return subscriptions.match(inbound, model.get());
            }
            from = inbound.dialog() == call.dialogA ? Call.Side.A : Call.Side.B;
        }
        synchronized (call) {
            Peer peer = call.peer(from);
            LegPeer legPeer = call.legPeer(from);
            Optional<String> mismatch = legPeer == null ? Optional.of("the leg has not answered yet")
                    : legPeer.mismatch(inbound, peer, model.get());
            if (mismatch.isPresent()) {
                LOG.debug("{}: {} on leg {} not from its peer ({}): {}", call, request.getMethod(), from, legPeer,
                        mismatch.get());
                return new DialogMatch.Stranger(peer, mismatch.get());
            }
            return new DialogMatch.Leg(peer);
        }
    }

    /** A request inside a call's dialog; false when it belongs to no call we know (the caller answers 481). */
    public boolean inDialog(InboundRequest inbound) throws SipException, ParseException, InvalidArgumentException {
        Dialog dialog = inbound.dialog();
        Call call = registry.byDialog(dialog);
        if (call == null) {
            return !Request.ACK.equals(inbound.method()) && subscriptions.inDialog(inbound);
        }
        Request request = inbound.request();
        // read before this call's monitor: the dialog a Replaces names may be another call's
        Transfers.Referral referral = Request.REFER.equals(request.getMethod()) ? transfers.name(request) : null;
        synchronized (call) {
            Call.Side from = dialog == call.dialogA ? Call.Side.A : Call.Side.B;
            switch (request.getMethod()) {
                case Request.ACK -> {
                    acks.pay(call, from, request); // otherwise the far 2xx was acknowledged when it arrived
                    security.announce(call, Call.Side.A);
                    security.announce(call, Call.Side.B);
                }
                case Request.BYE -> {
                    inbound.transaction().sendResponse(sip.messages.createResponse(Response.OK, request));
                    CALLS.info("{}: BYE from leg {}", call, from);
                    termination.hangUp(call, from.other());
                }
                default -> {
                    if (call.isEnded()) {
                        return false; // it ended while this request was on its way: 481
                    }
                    relay.inDialog(call, from, request, inbound.transaction(), referral);
                }
            }
            return true;
        }
    }

    /**
     * CANCEL, matched to the INVITE transaction it names (RFC 3261 9.2: top Via branch and Call-ID),
     * not merely to a call: the CANCEL of a call's first INVITE ends the unanswered call; the CANCEL
     * of a re-INVITE cancels that re-INVITE on the other leg and leaves the call up. False when it
     * matches no INVITE of ours (481).
     */
    public boolean cancel(InboundRequest inbound) throws SipException, ParseException, InvalidArgumentException {
        Request cancel = inbound.request();
        String key = CallRegistry.originKey(cancel);
        Call call = registry.byCallIdA(inbound.callId());
        if (call == null || !key.equals(CallRegistry.originKey(call.inviteA.getRequest()))) {
            return relay.cancelReInvite(key, cancel, inbound.transaction()) || subscriptions.cancel(inbound);
        }
        invites.cancel(call, cancel, inbound.transaction());
        return true;
    }

    /** A response to a request we sent: leg B's INVITE, or a relayed request's (or our own BYE's or UPDATE's) final answer. */
    public void response(ResponseEvent event) {
        ClientTransaction transaction = event.getClientTransaction();
        if (transaction == null || pings.response(transaction, event.getResponse())) {
            return;
        }
        try {
            if (subscriptions.response(event)) {
                return;
            }
            Call call = registry.byInviteB(transaction);
            if (call != null) {
                Call replaced;
                synchronized (call) {
                    invites.response(call, transaction, event.getResponse(), event.getDialog());
                    replaced = call.takeReplaced();
                }
                if (replaced != null) {
                    endReplaced(replaced, call);
                }
                return;
            }
            CallRegistry.Relay relayed = event.getResponse().getStatusCode() >= 200 ? registry.finishRelay(transaction) : null;
            if (relayed != null && relayed.call() == null) {
                relay.finalResponse(relayed, transaction, event.getResponse(), event.getDialog());
            } else if (relayed != null) {
                synchronized (relayed.call()) {
                    relay.finalResponse(relayed, transaction, event.getResponse(), event.getDialog());
                }
            }
        } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot relay a {} response: {}", event.getResponse().getStatusCode(), e.toString());
        }
    }

    /** A call an INVITE with Replaces took the place of: BYE on both its legs once the new call is answered. */
    private void endReplaced(Call replaced, Call by) {
        synchronized (replaced) {
            if (!replaced.isEnded()) {
                CALLS.info("{}: replaced by {}", replaced, by);
                replaced.endedBy = "replaced";
                termination.endForStop(replaced, "SIP;cause=200;text=\"Call completed elsewhere\"");
            }
        }
    }

    /** A request we sent got no answer at all (timer B or F) or could not be sent. */
    public void timeout(ClientTransaction transaction) {
        if (pings.timeout(transaction)) {
            return;
        }
        Call call = registry.byInviteB(transaction);
        if (call != null) {
            synchronized (call) {
                invites.timeout(call, transaction);
            }
            return;
        }
        if (!subscriptions.timeout(transaction)) {
            relay.timeout(transaction);
        }
    }

    /**
     * The media relay heard nothing on either leg for the media timeout: the call is ended with a
     * BYE on both legs (an unanswered call is failed towards the caller and cancelled towards the callee).
     */
    public void endCallForMediaTimeout(Call call, String reason) {
        synchronized (call) {
            termination.endForMediaTimeout(call, reason);
        }
    }

    /**
     * Ends every call still up, for a drain that ran out of time: BYE on both legs with
     * {@code reasonHeader} (an RFC 3326 Reason value), or 503 to an unanswered call's caller.
     * Returns how many calls it ended.
     */
    public int endAllCalls(String reasonHeader) {
        int ended = 0;
        for (Call call : registry.calls()) {
            synchronized (call) {
                if (!call.isEnded()) {
                    termination.endForStop(call, reasonHeader);
                    ended++;
                }
            }
        }
        return ended;
    }

    /** The calls up or being set up, as operations may see them. */
    public java.util.List<CallView> calls() {
        java.util.List<CallView> views = new java.util.ArrayList<>();
        for (Call call : registry.calls()) {
            synchronized (call) {
                if (!call.isEnded()) {
                    views.add(CallView.of(call, sdp, security.policy()));
                }
            }
        }
        return views;
    }

    /** Every call that ends, once, as it ends (on a SIP thread, under the call's monitor: hand it off). */
    public void onCallEnded(java.util.function.Consumer<CallView> listener) {
        termination.onEnded(call -> listener.accept(CallView.of(call, sdp, security.policy())));
    }

    /** Every call's final answer to its caller, once (on a SIP thread, under the call's monitor: count only). */
    public void onCallDecided(CallOutcomes listener) {
        termination.onDecided(listener);
    }

    /** Calls up or being set up per trunk of the model and direction, zeros included (a metric's rows). */
    public java.util.List<CallOutcomes.TrunkCalls> activeTrunkCalls() {
        java.util.Map<String, int[]> counts = new java.util.LinkedHashMap<>();
        for (var trunk : model.get().config().sipTrunks()) {
            counts.put(trunk.name(), new int[2]);
        }
        for (Call call : registry.calls()) {
            if (!call.isEnded()) {
                count(counts, CallTermination.trunkName(call.caller), 0);
                count(counts, CallTermination.trunkName(call.target.peer()), 1);
            }
        }
        java.util.List<CallOutcomes.TrunkCalls> rows = new java.util.ArrayList<>();
        counts.forEach((trunk, c) -> {
            rows.add(new CallOutcomes.TrunkCalls(trunk, "in", c[0]));
            rows.add(new CallOutcomes.TrunkCalls(trunk, "out", c[1]));
        });
        return rows;
    }

    private static void count(java.util.Map<String, int[]> counts, String trunk, int direction) {
        int[] c = trunk == null ? null : counts.get(trunk);
        if (c != null) {
            c[direction]++;
        }
    }

    /** An operator ends one call as a stop would (BYE on both legs with reasonHeader); false when no such call is up. */
    public boolean terminate(long id, String reasonHeader) {
        for (Call call : registry.calls()) {
            if (call.id() == id) {
                synchronized (call) {
                    if (call.isEnded()) {
                        return false;
                    }
                    call.endedBy = "operator";
                    termination.endForStop(call, reasonHeader);
                    return true;
                }
            }
        }
        return false;
    }

    /** jain-sip ended a dialog on its own (e.g. no ACK): end the call it belonged to, BYE on the other leg. */
    /** A request of ours that made no dialog (MESSAGE, NOTIFY, a failed INVITE) is over: its leg's flow with it. */
    public void transactionTerminated(javax.sip.ClientTransaction transaction) {
        if (transaction != null && transaction.getDialog() == null) {
            sip.flows.unpin(((javax.sip.header.CallIdHeader) transaction.getRequest().getHeader(
                    javax.sip.header.CallIdHeader.NAME)).getCallId());
        }
    }

    public void dialogTerminated(Dialog dialog) {
        sip.flows.unpin(dialog.getCallId().getCallId());
        Call call = registry.byDialog(dialog);
        if (call == null) {
            return;
        }
        synchronized (call) {
            if (call.isConfirmed()) {
                termination.hangUp(call, dialog == call.dialogA ? Call.Side.B : Call.Side.A);
            }
        }
    }
}
