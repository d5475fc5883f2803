package org.sipshield.proxy.b2bua;

import gov.nist.javax.sip.header.extensions.ReplacesHeader;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.proxy.pipeline.CallAdmission;
import org.sipshield.proxy.pipeline.InboundRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call's first INVITE: leg A answered by us, leg B placed on the target's hops in order (the
 * next one on timeout, 5xx or a transport failure), a trunk's challenge answered once, early and
 * final answers crossing back through the SDP step, CANCEL before the answer. Every method but
 * {@link #start} is called under the call's monitor.
 */
final class InviteSession {
    private static final Logger LOG = LoggerFactory.getLogger(InviteSession.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");

    private final SipMessaging sip;
    private final SdpRewriter sdp;
    private final CallRegistry registry;
    private final LegRequests legRequests;
    private final TrunkChallengeResponder challenges;
    private final SecurityStatus security;
    private final CallTermination termination;
    private final OwedAcks acks;
    private final SessionTimers timers;

    InviteSession(SipMessaging sip, SdpRewriter sdp, CallRegistry registry, LegRequests legRequests,
            TrunkChallengeResponder challenges, SecurityStatus security, CallTermination termination, OwedAcks acks,
            SessionTimers timers) {
        this.timers = timers;
        this.sip = sip;
        this.sdp = sdp;
        this.registry = registry;
        this.legRequests = legRequests;
        this.challenges = challenges;
        this.security = security;
        this.termination = termination;
        this.acks = acks;
    }

    /** A new call: 100 to the caller, then leg B towards the target's first hop. The call owns the admission leases. */
    void start(InboundRequest inbound, Target target, List<CallAdmission.Lease> leases,
            Transfers.Replacement.Mapped replacement)
            throws SipException, ParseException, InvalidArgumentException {
        ServerTransaction inviteA = inbound.transaction();
        Dialog dialogA;
        try {
            dialogA = inbound.provider().getNewDialog(inviteA);
        } catch (SipException | RuntimeException e) {
            leases.forEach(CallAdmission.Lease::release); // no call will ever end to give them back
            throw e;
        }
        Call call = new Call(inbound.peer(), target, inbound.callId(), replacement, inbound.provider(),
                inviteA, dialogA, SipMessaging.newTag(), LegPeer.of(inbound));
        call.timers.leases.addAll(leases);
        call.updateAllowedA = SecurityStatus.allowsUpdate(inbound.request());
        registry.add(call);
        inviteA.sendResponse(sip.messages.createResponse(Response.TRYING, inbound.request()));
        CALLS.info("{}: INVITE for {} from {}", call, target.hops().isEmpty() ? "?" : target.hops().get(0).user(),
                inbound.source().getAddress().getHostAddress());
        synchronized (call) {
            placeOnNextHop(call, 503, "Service Unavailable");
        }
    }

    /** Tries the target's hops in order from call.hopIndex; answers A with failure when none is left. */
    private void placeOnNextHop(Call call, int failureStatus, String failureReason) {
        if (call.hopIndex == 0 && security.refusesUnencrypted(call, SipMessaging.body(call.inviteA.getRequest()))) {
            CALLS.info("{}: refused: an Encrypted phone and a leg without SRTP (media.encryptedPhoneFallback: REFUSE)", call);
            termination.fail(call, Response.NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
            return;
        }
        List<Hop> hops = call.target.hops();
        while (call.hopIndex < hops.size()) {
            Hop hop = hops.get(call.hopIndex++);
            SipProvider provider = sip.provider(hop.transport());
            if (provider == null) {
                LOG.warn("{}: no {} listener to reach {}", call, hop.transport(), hop);
                continue;
            }
            try {
                Request invite = legRequests.towards(call.inviteA.getRequest(), Request.INVITE, hop, provider,
                        call.caller, call.target.peer());
                invite.addHeader(sip.contact(provider, LegRequests.callerUser(invite))); // anonymous under Privacy: id
                timers.offer(call, invite);
                byte[] offer;
                try {
                    offer = sdp.rewrite(call, Call.Side.A, SipMessaging.body(call.inviteA.getRequest()));
                } catch (SdpRejectedException e) {
                    LOG.info("{}: SDP refused: {}", call, e.reason());
                    termination.fail(call, e.status(), e.status() == Response.NOT_ACCEPTABLE_HERE ? "Not Acceptable Here" : null);
                    return;
                }
                sip.setSdp(invite, offer);
                if (call.target.transmitSecurityStatus()) {
                    invite.addHeader(security.header(call.security(Call.Side.A, security.policy())));
                }
                if (call.replacesB != null) {
                    invite.addHeader(sip.headers.createHeader(ReplacesHeader.NAME, call.replacesB));
                }
                call.digestAnswerB = null; // a new destination's challenge is its first
                send(call, provider, invite, hop);
                return;
            } catch (SipException | ParseException | InvalidArgumentException e) {
                LOG.info("{}: destination {} failed: {}", call, hop, e.getMessage());
                failureStatus = 503;
                failureReason = "Service Unavailable";
            }
        }
        termination.fail(call, failureStatus, failureReason);
    }

    private void send(Call call, SipProvider provider, Request invite, Hop hop) throws SipException {
        ClientTransaction transaction = provider.getNewClientTransaction(invite);
        Dialog dialog = provider.getNewDialog(transaction);
        call.providerB = provider;
        call.inviteB = transaction;
        call.dialogB = dialog;
        call.requestB = invite;
        call.provisionalFromB = false;
        registry.addLegB(call, transaction, dialog);
        transaction.sendRequest();
        CALLS.info("{}: leg B INVITE to {}", call, hop);
    }

    /** A response to leg B's INVITE (the current attempt's; an earlier attempt's is ignored). */
    void response(Call call, ClientTransaction transaction, Response response, Dialog dialog)
            throws SipException, ParseException, InvalidArgumentException {
        int status = response.getStatusCode();
        if (transaction != call.inviteB || status == Response.TRYING) {
            return; // a response to an earlier attempt, or the hop's 100
        }
        if (status < 300) { // the answer (re)starts leg B's dialog: its requests must come from whoever answered
            call.peerB = LegPeer.ofAnswer(response, transaction, call.target.hops().get(call.hopIndex - 1).transport());
        }
        if (status < 200) {
            provisional(call, status, response);
        } else if (status < 300) {
            answered(call, transaction, response, dialog != null ? dialog : call.dialogB);
        } else {
            failed(call, transaction, response);
        }
    }

    private void provisional(Call call, int status, Response response) throws SipException, ParseException,
            InvalidArgumentException {
        call.provisionalFromB = true;
        if (call.cancelled) {
            termination.cancelLegB(call);
            return;
        }
        if (call.ringing()) {
            byte[] body = SipMessaging.body(response);
            respondA(call, status, body == null ? null : earlyAnswer(call, body), response);
        }
    }

    private void answered(Call call, ClientTransaction transaction, Response response, Dialog legB)
            throws SipException, ParseException, InvalidArgumentException {
        Request sent = transaction.getRequest();
        if (call.isConfirmed()) {
            if (call.owedAck == null) {
                acks.acknowledge(legB, response, sent); // a retransmitted 2xx: our ACK was lost
            }
            return; // while the ACK is owed, the caller's ACK brings what it must carry
        }
        byte[] body = SipMessaging.body(response);
        boolean offerIn2xx = OwedAcks.offers(response, sent);
        if (!offerIn2xx || call.cancelled || call.isEnded()) {
            acks.acknowledge(legB, response, sent);
        }
        if (call.cancelled || call.isEnded()) {
            termination.sendBye(call, Call.Side.B);
            return;
        }
        call.encryptedUnderB = MediaEncryption.encryptedUnder(body);
        call.updateAllowedB = SecurityStatus.allowsUpdate(response);
        if (!offerIn2xx && security.refusesUnencrypted(call, body)) {
            CALLS.info("{}: refused: the far end answered without SRTP to an Encrypted phone "
                    + "(media.encryptedPhoneFallback: REFUSE)", call);
            termination.sendBye(call, Call.Side.B);
            termination.fail(call, Response.NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
            return;
        }
        byte[] answer;
        try {
            answer = body == null ? null : sdp.rewrite(call, Call.Side.B, body);
        } catch (SdpRejectedException e) {
            LOG.info("{}: {} from leg B refused: {}", call, offerIn2xx ? "offer" : "answer", e.reason());
            if (offerIn2xx) {
                acks.acknowledge(legB, response, sent);
            }
            termination.sendBye(call, Call.Side.B);
            termination.fail(call, e.status(), "Not Acceptable Here");
            return;
        }
        if (offerIn2xx) {
            acks.owe(call, Call.Side.B, legB, response, sent);
        }
        call.encryptedUnderA = offerIn2xx ? Set.of() : MediaEncryption.encryptedUnder(answer);
        call.answered();
        timers.answered(call, response);
        respondA(call, response.getStatusCode(), answer, response);
        termination.decided(call, Response.OK);
        CALLS.info("{}: answered; security leg A {} leg B {} call {}", call,
                call.security(Call.Side.A, security.policy()).label(), call.security(Call.Side.B, security.policy()).label(),
                security.of(call).label());
    }

    private void failed(Call call, ClientTransaction transaction, Response response) throws SipException, ParseException,
            InvalidArgumentException {
        int status = response.getStatusCode();
        registry.forgetLegB(call, transaction);
        if (call.cancelled) {
            termination.end(call);
            return;
        }
        if (TrunkChallengeResponder.isChallenge(response) && answerChallenge(call, response)) {
            return;
        }
        if (status == 422 && timers.raiseAfter422(call, response)) {
            send(call, call.providerB, timers.retry(call, call.providerB), call.target.hops().get(call.hopIndex - 1));
            return;
        }
        if (isWorthAnotherDestination(status) && !call.provisionalFromB && call.hopIndex < call.target.hops().size()) {
            LOG.info("{}: destination answered {}, trying the next one", call, status);
            placeOnNextHop(call, status, response.getReasonPhrase());
            return;
        }
        if (TrunkChallengeResponder.isChallenge(response)) {
            termination.fail(call, Response.FORBIDDEN, "Forbidden"); // never a bare 401/407 to leg A
            return;
        }
        call.endedBy = "callee";
        termination.fail(call, status, response.getReasonPhrase());
    }

    private static boolean isWorthAnotherDestination(int status) {
        return status == Response.REQUEST_TIMEOUT || status == Response.SERVER_INTERNAL_ERROR
                || status == Response.BAD_GATEWAY || status == Response.SERVICE_UNAVAILABLE
                || status == Response.SERVER_TIMEOUT;
    }

    /** Leg B's INVITE got no answer at all (timer B) or could not be sent: the next destination, or 408. */
    void timeout(Call call, ClientTransaction transaction) {
        if (transaction != call.inviteB || !call.isUnanswered()) {
            return;
        }
        registry.forgetLegB(call, transaction);
        if (call.cancelled) {
            termination.end(call);
            return;
        }
        LOG.info("{}: no answer from {}", call, call.target.hops().get(call.hopIndex - 1));
        placeOnNextHop(call, Response.REQUEST_TIMEOUT, "Request Timeout");
    }

    private boolean answerChallenge(Call call, Response challenge) throws SipException, ParseException,
            InvalidArgumentException {
        Optional<TrunkChallengeResponder.Retry> retry = challenges.retry(call.requestB, challenge, call.target.peer(),
                (DigestAnswer) call.digestAnswerB, call.providerB);
        if (retry.isEmpty()) {
            return false;
        }
        call.digestAnswerB = retry.get().answer();
        send(call, call.providerB, retry.get().request(), call.target.hops().get(call.hopIndex - 1));
        return true;
    }

    /**
     * The CANCEL of the call's first INVITE: 487 to the caller, and CANCEL on leg B once it may be
     * sent (after a provisional answer); too late once the call is answered.
     */
    void cancel(Call call, Request cancel, ServerTransaction transaction) throws SipException, ParseException,
            InvalidArgumentException {
        transaction.sendResponse(sip.messages.createResponse(Response.OK, cancel));
        synchronized (call) {
            if (!call.isUnanswered()) {
                return;
            }
            call.cancelled = true;
            respondA(call, Response.REQUEST_TERMINATED, null, null);
            CALLS.info("{}: cancelled by the caller", call);
            if (call.provisionalFromB) {
                termination.cancelLegB(call);
            }
        }
    }

    /** Our answer to leg A; {@code fromB} is the leg B response it stands for (null for our own 487). */
    private void respondA(Call call, int status, byte[] body, Response fromB)
            throws SipException, ParseException, InvalidArgumentException {
        Response response = sip.messages.createResponse(status, call.inviteA.getRequest());
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(call.localTagA);
        if (fromB != null) {
            legRequests.carryAnswerIdentity(fromB, call, Call.Side.B, response);
        }
        if (status < 300) {
            response.addHeader(sip.contact(call.providerA, null));
            security.tell(call, Call.Side.A, response);
            timers.onAnswer(call, Call.Side.A, call.inviteA.getRequest(), response);
        }
        sip.setSdp(response, body);
        call.inviteA.sendResponse(response);
    }

    /** A provisional answer's SDP; one the SDP step refuses is not passed on (the final answer decides). */
    private byte[] earlyAnswer(Call call, byte[] body) {
        try {
            return sdp.rewrite(call, Call.Side.B, body);
        } catch (SdpRejectedException e) {
            LOG.info("{}: early answer from leg B refused: {}", call, e.reason());
            return null;
        }
    }
}
