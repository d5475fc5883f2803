package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.SecureCallIconDisplayPolicy;
import org.sipshield.config.Transport;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.proxy.pipeline.InboundRequest;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back-to-back user agent. Every call is two dialogs that share nothing on the wire: the
 * caller's (leg A, we answer it) and ours towards the target (leg B, we place it). Requests and
 * responses cross from one leg to the other rebuilt, never forwarded: only the caller's number
 * and display name, the SDP (through the per-leg SDP step) and a short list of headers that
 * carry meaning rather than topology cross over.
 */
public final class B2bua {
    private static final Logger LOG = LoggerFactory.getLogger(B2bua.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");

    /** Headers that carry meaning across legs; everything else (Via, Route, Contact, Record-Route...) stays on its leg. */
    private static final List<String> CROSSING_HEADERS = List.of("Event", "Subscription-State", "Expires", "Accept",
            "Refer-To", "Referred-By", "Subject", "Info-Package", "Reason", "Priority");

    private final SipMessaging sip;
    private final Supplier<SecurityModel> model;
    private final SdpRewriter sdp;
    private final TrunkChallengeResponder challenges;
    private final Map<String, Call> callsByCallIdA = new ConcurrentHashMap<>();
    private final Map<Dialog, Call> callsByDialog = new ConcurrentHashMap<>();
    private final Map<ClientTransaction, Call> callsByInviteB = new ConcurrentHashMap<>();
    private final Map<ClientTransaction, Relay> relays = new ConcurrentHashMap<>();
    /** Relayed in-dialog INVITEs by their origin's branch and Call-ID: what a CANCEL of a re-INVITE matches. */
    private final Map<String, ClientTransaction> reInvitesByOrigin = new ConcurrentHashMap<>();

    /**
     * A request we sent on behalf of another (or a BYE of our own: no origin): where its final
     * answer goes back to. peer: who it went to when no call says it (out-of-dialog requests);
     * answer: the credentials it carried, after a challenge of that peer (answered once only).
     */
    private record Relay(ServerTransaction origin, Call call, Call.Side towards, Peer peer, DigestAnswer answer) {
        Relay(ServerTransaction origin, Call call, Call.Side towards) {
            this(origin, call, towards, null, null);
        }

        Peer addressee() {
            return peer != null || call == null ? peer : towards == Call.Side.B ? call.target.peer() : call.caller;
        }
    }

    public B2bua(SipMessaging sip, Supplier<SecurityModel> model, SdpRewriter sdp) {
        this.sip = sip;
        this.model = model;
        this.sdp = sdp;
        this.challenges = new TrunkChallengeResponder(sip, model);
    }

    public int activeCalls() {
        return callsByCallIdA.size();
    }

    // ---------------------------------------------------------------- new calls

    public void invite(InboundRequest inbound, Target target) throws SipException, ParseException, InvalidArgumentException {
        ServerTransaction inviteA = inbound.transaction();
        Dialog dialogA = inbound.provider().getNewDialog(inviteA);
        Call call = new Call(inbound.peer(), target, inbound.callId(), mappedReplaces(inbound.request()), inbound.provider(),
                inviteA, dialogA, SipMessaging.newTag(), LegPeer.of(inbound));
        call.updateAllowedA = allowsUpdate(inbound.request());
        callsByCallIdA.put(inbound.callId(), call);
        callsByDialog.put(dialogA, call);
        inviteA.sendResponse(sip.messages.createResponse(Response.TRYING, inbound.request()));
        CALLS.info("{}: INVITE for {} from {}", call, target.hops().isEmpty() ? "?" : target.hops().get(0).user(),
                inbound.source().getAddress().getHostAddress());
        synchronized (call) {
            placeOnNextHop(call, 503, "Service Unavailable");
        }
    }

    /** Tries the target's hops in order from call.hopIndex; answers A with failure when none is left. */
    private void placeOnNextHop(Call call, int failureStatus, String failureReason) {
        if (call.hopIndex == 0 && refusesUnencrypted(call, SipMessaging.body(call.inviteA.getRequest()))) {
            CALLS.info("{}: refused: an Encrypted phone and a leg without SRTP (media.encryptedPhoneFallback: REFUSE)", call);
            endWithFailure(call, Response.NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
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
                Request invite = newRequestTowards(call.inviteA.getRequest(), Request.INVITE, hop, provider);
                invite.addHeader(sip.contact(provider, callerUser(call.inviteA.getRequest())));
                byte[] offer;
                try {
                    offer = sdp.rewrite(call, Call.Side.A, SipMessaging.body(call.inviteA.getRequest()));
                } catch (SdpRejectedException e) {
                    LOG.info("{}: SDP refused: {}", call, e.reason());
                    endWithFailure(call, e.status(), e.status() == Response.NOT_ACCEPTABLE_HERE ? "Not Acceptable Here" : null);
                    return;
                }
                sip.setSdp(invite, offer);
                if (call.target.transmitSecurityStatus()) {
                    invite.addHeader(securityStatusHeader(call.security(Call.Side.A, policy())));
                }
                if (call.replacesB != null) {
                    invite.addHeader(sip.headers.createHeader("Replaces", call.replacesB));
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
        endWithFailure(call, failureStatus, failureReason);
    }

    private void send(Call call, SipProvider provider, Request invite, Hop hop) throws SipException {
        ClientTransaction transaction = provider.getNewClientTransaction(invite);
        Dialog dialog = provider.getNewDialog(transaction);
        call.providerB = provider;
        call.inviteB = transaction;
        call.dialogB = dialog;
        call.requestB = invite;
        call.provisionalFromB = false;
        callsByInviteB.put(transaction, call);
        callsByDialog.put(dialog, call);
        transaction.sendRequest();
        CALLS.info("{}: leg B INVITE to {}", call, hop);
    }

    /** A request of leg B built from scratch: only the caller's identity and the called user cross over. */
    private Request newRequestTowards(Request original, String method, Hop hop, SipProvider provider)
            throws ParseException, InvalidArgumentException {
        SipURI requestUri = sip.addresses.createSipURI(hop.user(), hop.host());
        requestUri.setPort(hop.port());
        if (hop.transport() != Transport.UDP) {
            requestUri.setTransportParam(hop.transport().name().toLowerCase(java.util.Locale.ROOT));
        }
        FromHeader originalFrom = (FromHeader) original.getHeader(FromHeader.NAME);
        Address fromAddress = sip.addresses.createAddress(sip.addresses.createSipURI(callerUser(original),
                sip.localHost(provider)));
        if (originalFrom.getAddress().getDisplayName() != null) {
            fromAddress.setDisplayName(originalFrom.getAddress().getDisplayName());
        }
        FromHeader from = sip.headers.createFromHeader(fromAddress, SipMessaging.newTag());
        ToHeader to = sip.headers.createToHeader(sip.addresses.createAddress(sip.addresses.createSipURI(hop.user(), hop.host())), null);
        CallIdHeader callId = sip.headers.createCallIdHeader(org.sipshield.proxy.transport.SipIdentifiers.callId());
        CSeqHeader cseq = sip.headers.createCSeqHeader(1L, method);
        var point = provider.getListeningPoints()[0];
        ViaHeader via = sip.headers.createViaHeader(sip.localHost(provider), point.getPort(), point.getTransport(), null);
        MaxForwardsHeader maxForwards = (MaxForwardsHeader) original.getHeader(MaxForwardsHeader.NAME);
        int hopsLeft = maxForwards == null ? 70 : Math.max(0, maxForwards.getMaxForwards() - 1);
        Request request = sip.messages.createRequest(requestUri, method, callId, cseq, from, to, List.of(via),
                sip.headers.createMaxForwardsHeader(hopsLeft));
        copyCrossingHeaders(original, request);
        return request;
    }

    private static String callerUser(Request request) {
        var uri = ((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI();
        return uri instanceof SipURI sipUri && sipUri.getUser() != null ? sipUri.getUser() : "anonymous";
    }

    private void copyCrossingHeaders(Request from, Request to) throws ParseException {
        for (String name : CROSSING_HEADERS) {
            ListIterator<?> values = from.getHeaders(name);
            while (values != null && values.hasNext()) {
                Header header = (Header) values.next();
                to.addHeader((Header) header.clone());
            }
        }
        if (!Request.INVITE.equals(to.getMethod())) {
            sip.copyBody(from, to);
        }
    }

    /**
     * A Replaces header names a dialog of leg A; the far side only knows the matching leg B
     * dialog, so its identifiers are swapped in. An unknown dialog keeps the header as it is and
     * the far side answers 481, as RFC 3891 says. Read before the new call's own lock is taken
     * (the locking rule: never two calls' monitors at once).
     */
    private String mappedReplaces(Request original) {
        Header replaces = original.getHeader("Replaces");
        if (replaces == null) {
            return null;
        }
        String value = replaces.toString().substring(replaces.toString().indexOf(':') + 1).trim();
        Call replaced = callsByCallIdA.get(value.split(";")[0].trim());
        String mapped = replaced == null ? null : replaced.replacesValueOfLegB();
        return mapped != null ? mapped : value;
    }

    // ---------------------------------------------------------------- out-of-dialog non-INVITE requests

    /** SUBSCRIBE, NOTIFY, REFER, MESSAGE, INFO, PUBLISH outside a dialog: relayed as one transaction. */
    public void relayOutOfDialog(InboundRequest inbound, Target target) throws SipException, ParseException,
            InvalidArgumentException {
        for (Hop hop : target.hops()) {
            SipProvider provider = sip.provider(hop.transport());
            if (provider == null) {
                continue;
            }
            Request request = newRequestTowards(inbound.request(), inbound.method(), hop, provider);
            if (Request.SUBSCRIBE.equals(inbound.method()) || Request.REFER.equals(inbound.method())) {
                request.addHeader(sip.contact(provider, callerUser(inbound.request())));
            }
            ClientTransaction transaction = provider.getNewClientTransaction(request);
            relays.put(transaction, new Relay(inbound.transaction(), null, null, target.peer(), null));
            transaction.sendRequest();
            return;
        }
        inbound.transaction().sendResponse(sip.messages.createResponse(Response.SERVICE_UNAVAILABLE, inbound.request()));
    }

    // ---------------------------------------------------------------- in-dialog requests

    /**
     * The call leg a request inside a dialog (or a CANCEL) belongs to, and whether it came from that
     * leg's peer ({@link LegPeer}): what the pipeline checks before {@link #inDialog} or {@link #cancel}.
     */
    public DialogMatch match(InboundRequest inbound) {
        Request request = inbound.request();
        Call call;
        Call.Side from;
        if (Request.CANCEL.equals(request.getMethod())) {
            String key = originKey(request);
            call = callsByCallIdA.get(inbound.callId());
            from = Call.Side.A;
            if (call == null || !key.equals(originKey(call.inviteA.getRequest()))) {
                ClientTransaction reInvite = reInvitesByOrigin.get(key);
                Relay relay = reInvite == null ? null : relays.get(reInvite);
                if (relay == null || relay.call() == null) {
                    return new DialogMatch.NoCall();
                }
                call = relay.call();
                from = relay.towards().other();
            }
        } else {
            Dialog dialog = inbound.dialog();
            call = dialog == null ? null : callsByDialog.get(dialog);
            if (call == null) {
                return new DialogMatch.NoCall();
            }
            from = dialog == call.dialogA ? Call.Side.A : Call.Side.B;
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
        Call call = dialog == null ? null : callsByDialog.get(dialog);
        if (call == null) {
            return false;
        }
        synchronized (call) {
            return inDialog(call, inbound.request(), dialog, inbound.transaction());
        }
    }

    private boolean inDialog(Call call, Request request, Dialog dialog, ServerTransaction transaction)
            throws SipException, ParseException, InvalidArgumentException {
        String method = request.getMethod();
        Call.Side from = dialog == call.dialogA ? Call.Side.A : Call.Side.B;
        if (Request.ACK.equals(method)) {
            payOwedAck(call, from, request); // otherwise the far 2xx was acknowledged when it arrived
            announceSecurity(call, Call.Side.A);
            announceSecurity(call, Call.Side.B);
            return true;
        }
        Call.Side towards = from.other();
        if (Request.BYE.equals(method)) {
            transaction.sendResponse(sip.messages.createResponse(Response.OK, request));
            CALLS.info("{}: BYE from leg {}", call, from);
            hangUp(call, towards);
            return true;
        }
        if (call.state == Call.State.ENDED) {
            return false; // it ended while this request was on its way: 481
        }
        Dialog other = call.dialog(towards);
        if (other == null || other.getState() == null || other.getState() != javax.sip.DialogState.CONFIRMED) {
            transaction.sendResponse(sip.messages.createResponse(Response.REQUEST_PENDING, request));
            return true;
        }
        Request out = other.createRequest(method);
        TrunkChallengeResponder.dropCopiedCredentials(out);
        copyCrossingHeaders(request, out);
        byte[] body = SipMessaging.body(request);
        if (Request.INVITE.equals(method) || Request.UPDATE.equals(method)) {
            out.addHeader(sip.contact(call.provider(towards), null));
            try {
                sip.setSdp(out, body == null ? null : sdp.rewrite(call, from, body));
            } catch (SdpRejectedException e) {
                LOG.info("{}: {} from leg {} refused: {}", call, method, from, e.reason());
                transaction.sendResponse(sip.messages.createResponse(e.status(), request));
                return true;
            }
        }
        ClientTransaction relayed = call.provider(towards).getNewClientTransaction(out);
        relays.put(relayed, new Relay(transaction, call, towards));
        call.pendingRelayed.add(relayed);
        if (Request.INVITE.equals(method)) {
            reInvitesByOrigin.put(originKey(request), relayed);
        }
        other.sendRequest(relayed);
        return true;
    }

    /** An INVITE's transaction as its CANCEL names it (RFC 3261 9.2: same top Via branch, same Call-ID). */
    private static String originKey(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return (via == null ? "" : via.getBranch() + '\n' + via.getHost() + ':' + via.getPort()) + '\n'
                + ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    /**
     * The ACK of a 2xx that carried an SDP offer brings the answer: rewritten for the far leg, it
     * goes in the ACK we owed that leg. An ACK without an answer, or with one the SDP step refuses,
     * still completes the far leg's transaction; then the call cannot have media and is ended with
     * BYE on both legs (RFC 3261 section 13.2.2.4: the UAC must answer an offer in a 2xx in its ACK).
     */
    private void payOwedAck(Call call, Call.Side from, Request ack) throws SipException, InvalidArgumentException,
            ParseException {
        Call.OwedAck owed = call.owedAck;
        if (owed == null || owed.towards() != from.other() || call.state == Call.State.ENDED) {
            return;
        }
        call.owedAck = null;
        Request out = ackOf(owed.dialog(), owed.cseq(), owed.invite());
        byte[] body = SipMessaging.body(ack);
        String failure = body == null ? "the ACK carries no SDP answer to the offer in the 2xx" : null;
        if (body != null) {
            try {
                byte[] answer = sdp.rewrite(call, from, body);
                sip.setSdp(out, answer);
                call.encryptedUnder(from, MediaEncryption.encryptedUnder(body));
                call.encryptedUnder(from.other(), MediaEncryption.encryptedUnder(answer));
            } catch (SdpRejectedException e) {
                failure = e.reason();
            }
        }
        owed.dialog().sendAck(out);
        if (failure != null) {
            CALLS.info("{}: ending the call: the answer in leg {}'s ACK is unusable: {}", call, from, failure);
            sendBye(call, Call.Side.A);
            sendBye(call, Call.Side.B);
            end(call);
        }
    }

    /**
     * CANCEL, matched to the INVITE transaction it names (RFC 3261 9.2: top Via branch and Call-ID),
     * not merely to a call: the CANCEL of a call's first INVITE ends the unanswered call (487 to the
     * caller, CANCEL on leg B once it may be sent); the CANCEL of a re-INVITE cancels that re-INVITE
     * on the other leg and leaves the call up. False when it matches no INVITE of ours (481).
     */
    public boolean cancel(InboundRequest inbound) throws SipException, ParseException, InvalidArgumentException {
        Request cancel = inbound.request();
        ServerTransaction transaction = inbound.transaction();
        String callId = ((CallIdHeader) cancel.getHeader(CallIdHeader.NAME)).getCallId();
        String key = originKey(cancel);
        Call call = callsByCallIdA.get(callId);
        if (call == null || !key.equals(originKey(call.inviteA.getRequest()))) {
            ClientTransaction reInvite = reInvitesByOrigin.get(key);
            Relay relay = reInvite == null ? null : relays.get(reInvite);
            if (relay == null || relay.call() == null) {
                return false;
            }
            transaction.sendResponse(sip.messages.createResponse(Response.OK, cancel));
            synchronized (relay.call()) {
                try {
                    // the far leg answers its INVITE 487, and that final answer crosses back as usual
                    relay.call().provider(relay.towards()).getNewClientTransaction(reInvite.createCancel()).sendRequest();
                    CALLS.info("{}: re-INVITE cancelled by leg {}", relay.call(), relay.towards().other());
                } catch (SipException e) {
                    LOG.debug("{}: CANCEL of a re-INVITE: {}", relay.call(), e.getMessage());
                }
            }
            return true;
        }
        transaction.sendResponse(sip.messages.createResponse(Response.OK, cancel));
        synchronized (call) {
            if (call.state == Call.State.CONFIRMED || call.state == Call.State.ENDED) {
                return true;
            }
            call.cancelled = true;
            respondA(call, Response.REQUEST_TERMINATED, null);
            CALLS.info("{}: cancelled by the caller", call);
            if (call.provisionalFromB) {
                cancelLegB(call);
            }
        }
        return true;
    }

    private void cancelLegB(Call call) {
        try {
            Request cancel = call.inviteB.createCancel();
            call.providerB.getNewClientTransaction(cancel).sendRequest();
        } catch (SipException e) {
            LOG.debug("{}: CANCEL on leg B: {}", call, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- responses

    public void response(ResponseEvent event) {
        ClientTransaction transaction = event.getClientTransaction();
        if (transaction == null) {
            return;
        }
        try {
            Call call = callsByInviteB.get(transaction);
            if (call != null) {
                synchronized (call) {
                    inviteResponse(call, transaction, event.getResponse(), event.getDialog());
                }
                return;
            }
            Relay relay = event.getResponse().getStatusCode() >= 200 ? finishRelay(transaction) : null;
            if (relay != null && relay.call() == null) {
                relayedFinalResponse(relay, transaction, event.getResponse(), event.getDialog());
            } else if (relay != null) {
                synchronized (relay.call()) {
                    relayedFinalResponse(relay, transaction, event.getResponse(), event.getDialog());
                }
            }
        } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot relay a {} response: {}", event.getResponse().getStatusCode(), e.toString());
        }
    }

    private void inviteResponse(Call call, ClientTransaction transaction, Response response, Dialog dialog)
            throws SipException, ParseException, InvalidArgumentException {
        int status = response.getStatusCode();
        if (transaction != call.inviteB || status == Response.TRYING) {
            return; // a response to an earlier attempt, or the hop's 100
        }
        if (status < 300) { // the answer (re)starts leg B's dialog: its requests must come from whoever answered
            call.peerB = LegPeer.ofAnswer(response, transaction, call.target.hops().get(call.hopIndex - 1).transport());
        }
        if (status < 200) {
            call.provisionalFromB = true;
            if (call.cancelled) {
                cancelLegB(call);
                return;
            }
            if (call.state == Call.State.TRYING || call.state == Call.State.EARLY) {
                call.state = Call.State.EARLY;
                byte[] body = SipMessaging.body(response);
                respondA(call, status, body == null ? null : earlyAnswer(call, body));
            }
            return;
        }
        if (status < 300) {
            Dialog legB = dialog != null ? dialog : call.dialogB;
            long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
            if (call.state == Call.State.CONFIRMED) {
                if (call.owedAck == null) {
                    legB.sendAck(ackOf(legB, cseq, transaction.getRequest())); // a retransmitted 2xx: our ACK was lost
                }
                return; // while the ACK is owed, the caller's ACK brings what it must carry
            }
            byte[] body = SipMessaging.body(response);
            // delayed offer: the INVITE had no SDP, so this 2xx offers and leg A's ACK will answer
            boolean offerIn2xx = body != null && SipMessaging.body(call.inviteA.getRequest()) == null;
            if (!offerIn2xx || call.cancelled || call.state == Call.State.ENDED) {
                legB.sendAck(ackOf(legB, cseq, transaction.getRequest()));
            }
            if (call.cancelled || call.state == Call.State.ENDED) {
                sendBye(call, Call.Side.B);
                return;
            }
            call.encryptedUnderB = MediaEncryption.encryptedUnder(body);
            call.updateAllowedB = allowsUpdate(response);
            if (!offerIn2xx && refusesUnencrypted(call, body)) {
                CALLS.info("{}: refused: the far end answered without SRTP to an Encrypted phone "
                        + "(media.encryptedPhoneFallback: REFUSE)", call);
                sendBye(call, Call.Side.B);
                endWithFailure(call, Response.NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
                return;
            }
            byte[] answer;
            try {
                answer = body == null ? null : sdp.rewrite(call, Call.Side.B, body);
            } catch (SdpRejectedException e) {
                LOG.info("{}: {} from leg B refused: {}", call, offerIn2xx ? "offer" : "answer", e.reason());
                if (offerIn2xx) {
                    legB.sendAck(ackOf(legB, cseq, transaction.getRequest()));
                }
                sendBye(call, Call.Side.B);
                endWithFailure(call, e.status(), "Not Acceptable Here");
                return;
            }
            if (offerIn2xx) {
                call.owedAck = new Call.OwedAck(Call.Side.B, legB, cseq, transaction.getRequest());
            }
            call.encryptedUnderA = offerIn2xx ? Set.of() : MediaEncryption.encryptedUnder(answer);
            call.state = Call.State.CONFIRMED;
            respondA(call, status, answer);
            CALLS.info("{}: answered; security leg A {} leg B {} call {}", call, call.security(Call.Side.A, policy()).label(),
                    call.security(Call.Side.B, policy()).label(), call.security(policy()).label());
            return;
        }
        callsByInviteB.remove(transaction);
        callsByDialog.remove(call.dialogB);
        if (call.cancelled) {
            end(call);
            return;
        }
        if ((status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED)
                && answerChallenge(call, response)) {
            return;
        }
        if (isWorthAnotherDestination(status) && !call.provisionalFromB && call.hopIndex < call.target.hops().size()) {
            LOG.info("{}: destination answered {}, trying the next one", call, status);
            placeOnNextHop(call, status, response.getReasonPhrase());
            return;
        }
        if (TrunkChallengeResponder.isChallenge(response)) {
            endWithFailure(call, Response.FORBIDDEN, "Forbidden"); // never a bare 401/407 to leg A
            return;
        }
        endWithFailure(call, status, response.getReasonPhrase());
    }

    private static boolean isWorthAnotherDestination(int status) {
        return status == Response.REQUEST_TIMEOUT || status == Response.SERVER_INTERNAL_ERROR
                || status == Response.BAD_GATEWAY || status == Response.SERVICE_UNAVAILABLE
                || status == Response.SERVER_TIMEOUT;
    }

    /** Leg B's INVITE got no answer at all (timer B) or could not be sent: the next destination, or 408. */
    public void timeout(ClientTransaction transaction) {
        Call call = callsByInviteB.get(transaction);
        if (call != null) {
            synchronized (call) {
                if (transaction != call.inviteB || call.state != Call.State.TRYING && call.state != Call.State.EARLY) {
                    return;
                }
                callsByInviteB.remove(transaction);
                callsByDialog.remove(call.dialogB);
                if (call.cancelled) {
                    end(call);
                    return;
                }
                LOG.info("{}: no answer from {}", call, call.target.hops().get(call.hopIndex - 1));
                placeOnNextHop(call, Response.REQUEST_TIMEOUT, "Request Timeout");
            }
            return;
        }
        Relay relay = finishRelay(transaction);
        if (relay != null && relay.origin() != null) {
            try {
                relay.origin().sendResponse(sip.messages.createResponse(Response.REQUEST_TIMEOUT, relay.origin().getRequest()));
            } catch (SipException | ParseException | InvalidArgumentException e) {
                LOG.debug("408 towards the origin: {}", e.getMessage());
            }
        }
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
     * A relayed request's (or our own BYE's) final answer: a challenge of the peer it went to is
     * answered and the request sent again, once; anything else goes back to the origin.
     */
    private void relayedFinalResponse(Relay relay, ClientTransaction transaction, Response response, Dialog dialog)
            throws SipException, ParseException, InvalidArgumentException {
        if (TrunkChallengeResponder.isChallenge(response) && retryChallenged(relay, transaction.getRequest(), response)) {
            return;
        }
        relayResponse(relay, transaction, response, dialog);
    }

    /**
     * Sends the challenged request again with our credentials, registered as the same relay so its
     * answer (and a CANCEL of a re-INVITE) finds its origin. Inside a dialog it goes through the
     * dialog, which keeps its local CSeq consistent: the ACK of a 2xx to an authenticated
     * re-INVITE is then built for the retry's CSeq. False when it cannot be answered.
     */
    private boolean retryChallenged(Relay relay, Request sent, Response challenge) throws ParseException,
            InvalidArgumentException {
        Call call = relay.call();
        SipProvider provider = call != null ? call.provider(relay.towards()) : sip.provider(transportOf(sent));
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
            relays.put(next, new Relay(relay.origin(), call, relay.towards(), relay.peer(), retry.get().answer()));
            if (call != null && relay.origin() != null) {
                call.pendingRelayed.add(next);
                if (Request.INVITE.equals(sent.getMethod())) {
                    reInvitesByOrigin.put(originKey(relay.origin().getRequest()), next);
                }
            }
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
                finishRelay(next);
            }
            return false;
        }
    }

    /**
     * The ACK of a 2xx, with the credentials of the INVITE it acknowledges (RFC 3261 13.2.2.4):
     * jain-sip copies in only a Proxy-Authorization, and only one its dialog sent.
     */
    private static Request ackOf(Dialog dialog, long cseq, Request invite) throws InvalidArgumentException, SipException {
        Request ack = dialog.createAck(cseq);
        TrunkChallengeResponder.copyCredentials(invite, ack);
        return ack;
    }

    private static Transport transportOf(Request request) {
        String transport = ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport();
        return Transport.valueOf(transport.toUpperCase(java.util.Locale.ROOT));
    }

    private void relayResponse(Relay relay, ClientTransaction transaction, Response response, Dialog dialog)
            throws SipException, ParseException, InvalidArgumentException {
        String method = transaction.getRequest().getMethod();
        boolean unanswered = TrunkChallengeResponder.isChallenge(response);
        // a challenge we could not answer: the origin's peer could not either, and must not learn the realm
        int status = unanswered ? Response.FORBIDDEN : response.getStatusCode();
        byte[] body = unanswered ? null : SipMessaging.body(response);
        // a re-INVITE without SDP: this 2xx offers, and the origin's ACK will bring the answer
        boolean offerIn2xx = Request.INVITE.equals(method) && status < 300 && dialog != null && relay.call() != null
                && relay.origin() != null && body != null && SipMessaging.body(relay.origin().getRequest()) == null;
        long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
        if (Request.INVITE.equals(method) && status < 300 && dialog != null && !offerIn2xx) {
            dialog.sendAck(ackOf(dialog, cseq, transaction.getRequest()));
        }
        if (relay.origin() == null) {
            return; // a BYE we sent ourselves
        }
        Request original = relay.origin().getRequest();
        Response back = sip.messages.createResponse(status, original);
        back.setReasonPhrase(unanswered ? "Forbidden" : response.getReasonPhrase());
        if (status >= 200 && ((ToHeader) back.getHeader(ToHeader.NAME)).getTag() == null) {
            ((ToHeader) back.getHeader(ToHeader.NAME)).setTag(SipMessaging.newTag());
        }
        for (String name : CROSSING_HEADERS) {
            ListIterator<?> values = response.getHeaders(name);
            while (values != null && values.hasNext()) {
                back.addHeader((Header) ((Header) values.next()).clone());
            }
        }
        if (relay.call() != null && body != null && (Request.INVITE.equals(method) || Request.UPDATE.equals(method))) {
            try {
                byte[] rewritten = sdp.rewrite(relay.call(), relay.towards(), body);
                sip.setSdp(back, rewritten);
                if (offerIn2xx) {
                    relay.call().owedAck = new Call.OwedAck(relay.towards(), dialog, cseq, transaction.getRequest());
                } else if (status < 300) { // an answer: what each leg's media now is
                    relay.call().encryptedUnder(relay.towards(), MediaEncryption.encryptedUnder(body));
                    relay.call().encryptedUnder(relay.towards().other(), MediaEncryption.encryptedUnder(rewritten));
                }
            } catch (SdpRejectedException e) {
                LOG.info("{}: SDP {} from leg {} refused: {}", relay.call(), offerIn2xx ? "offer" : "answer", relay.towards(),
                        e.reason());
                if (offerIn2xx) {
                    dialog.sendAck(ackOf(dialog, cseq, transaction.getRequest()));
                }
            }
        } else if (!unanswered) {
            sip.copyBody(response, back);
        }
        if (status < 300 && (Request.INVITE.equals(method) || Request.SUBSCRIBE.equals(method) || Request.UPDATE.equals(method))) {
            SipProvider provider = relay.call() != null ? relay.call().provider(relay.towards().other())
                    : null;
            if (provider != null) {
                back.addHeader(sip.contact(provider, null));
            }
        }
        Call call = relay.call();
        boolean offerAnswer = call != null && status < 300 && (Request.INVITE.equals(method) || Request.UPDATE.equals(method));
        if (offerAnswer && wantsSecurityStatus(call, relay.towards().other())) {
            LegSecurity status_ = call.security(policy());
            back.addHeader(securityStatusHeader(status_));
            call.told(relay.towards().other(), status_);
        }
        relay.origin().sendResponse(back);
        if (offerAnswer) {
            announceSecurity(call, relay.towards()); // the answering leg learns a change in an UPDATE
        }
    }

    // ---------------------------------------------------------------- ending calls

    private void respondA(Call call, int status, byte[] body) throws SipException, ParseException, InvalidArgumentException {
        Response response = sip.messages.createResponse(status, call.inviteA.getRequest());
        ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(call.localTagA);
        if (status < 300) {
            response.addHeader(sip.contact(call.providerA, null));
            if (wantsSecurityStatus(call, Call.Side.A)) {
                LegSecurity status_ = call.security(policy());
                response.addHeader(securityStatusHeader(status_));
                call.told(Call.Side.A, status_);
            }
        }
        sip.setSdp(response, body);
        call.inviteA.sendResponse(response);
    }

    /** The call security status as the reference's SIP line messaging sends it to phones (and trunks that transmit it). */
    private Header securityStatusHeader(LegSecurity security) throws ParseException {
        return sip.headers.createHeader("Call-Info", "<urn:X-cisco-remotecc:callinfo>;security=" + security.label());
    }

    /** Phones and voicemail ports are told the call's security status; a trunk when its profile transmits it. */
    private static boolean wantsSecurityStatus(Call call, Call.Side side) {
        Peer peer = call.peer(side);
        return peer instanceof Peer.Device || peer instanceof Peer.Trunk trunk && trunk.profile().transmitSecurityStatus();
    }

    /**
     * Tells one leg's peer the call's security status when it differs from what it was last told:
     * in an UPDATE without a body (RFC 3311), sent once the leg's dialog is confirmed and no ACK is
     * owed (an ACK cannot carry it). A peer that does not Allow UPDATE learns it with the next
     * re-INVITE or UPDATE it sends or answers.
     */
    private void announceSecurity(Call call, Call.Side side) {
        if (call.state != Call.State.CONFIRMED || call.owedAck != null || !wantsSecurityStatus(call, side)
                || !call.updateAllowed(side)) {
            return;
        }
        LegSecurity status = call.security(policy());
        Dialog dialog = call.dialog(side);
        if (status == call.told(side) || dialog == null || dialog.getState() != javax.sip.DialogState.CONFIRMED) {
            return;
        }
        try {
            Request update = dialog.createRequest(Request.UPDATE);
            TrunkChallengeResponder.dropCopiedCredentials(update);
            update.addHeader(sip.contact(call.provider(side), null)); // UPDATE refreshes the target: Contact is mandatory
            update.addHeader(securityStatusHeader(status));
            ClientTransaction transaction = call.provider(side).getNewClientTransaction(update);
            relays.put(transaction, new Relay(null, call, side));
            dialog.sendRequest(transaction);
            call.told(side, status);
            CALLS.info("{}: told leg {} the call is {}", call, side, status.label());
        } catch (SipException | ParseException e) {
            LOG.debug("{}: UPDATE with the security status on leg {}: {}", call, side, e.getMessage());
        }
    }

    private static boolean allowsUpdate(javax.sip.message.Message message) {
        ListIterator<?> allows = message.getHeaders(javax.sip.header.AllowHeader.NAME);
        while (allows != null && allows.hasNext()) {
            if (Request.UPDATE.equalsIgnoreCase(((javax.sip.header.AllowHeader) allows.next()).getMethod())) {
                return true;
            }
        }
        return false;
    }

    /**
     * With media.encryptedPhoneFallback REFUSE, an Encrypted phone's call whose other leg has no
     * SRTP: the far side may not offer it (a trunk without SRTP Allowed), or this SDP (the caller's
     * offer towards an Encrypted phone, or the far end's answer to one) carries none.
     */
    private boolean refusesUnencrypted(Call call, byte[] sdpOfOtherLeg) {
        if (model.get().config().media().encryptedPhoneFallback() != org.sipshield.config.MediaSettings.EncryptedPhoneFallback.REFUSE) {
            return false;
        }
        boolean callerEncrypted = isEncryptedPhone(call.caller);
        boolean calleeEncrypted = isEncryptedPhone(call.target.peer());
        if (callerEncrypted == calleeEncrypted) {
            return false; // both (SRTP end to end) or neither
        }
        if (callerEncrypted && !call.target.srtpAllowed()) {
            return true;
        }
        return sdpOfOtherLeg != null && !MediaEncryption.isEncrypted(sdpOfOtherLeg, policy());
    }

    private static boolean isEncryptedPhone(Peer peer) {
        return peer instanceof Peer.Device device
                && device.profile().deviceSecurityMode() == org.sipshield.config.DeviceSecurityMode.ENCRYPTED;
    }

    private void endWithFailure(Call call, int status, String reason) {
        try {
            if (call.state == Call.State.TRYING || call.state == Call.State.EARLY) {
                Response response = sip.messages.createResponse(status, call.inviteA.getRequest());
                ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(call.localTagA);
                if (reason != null) {
                    response.setReasonPhrase(reason);
                }
                call.inviteA.sendResponse(response);
            }
        } catch (SipException | ParseException | InvalidArgumentException e) {
            LOG.debug("{}: final response to leg A: {}", call, e.getMessage());
        }
        CALLS.info("{}: failed with {}", call, status);
        end(call);
    }

    private void hangUp(Call call, Call.Side towards) {
        if (call.state == Call.State.CONFIRMED) {
            sendBye(call, towards);
        } else if (towards == Call.Side.B && call.inviteB != null && call.provisionalFromB) {
            cancelLegB(call);
        }
        end(call);
    }

    private void sendBye(Call call, Call.Side side) {
        Dialog dialog = call.dialog(side);
        try {
            if (dialog != null && dialog.getState() == javax.sip.DialogState.CONFIRMED) {
                Request bye = dialog.createRequest(Request.BYE);
                TrunkChallengeResponder.dropCopiedCredentials(bye);
                ClientTransaction transaction = call.provider(side).getNewClientTransaction(bye);
                relays.put(transaction, new Relay(null, call, side));
                dialog.sendRequest(transaction);
            }
        } catch (SipException e) {
            LOG.debug("{}: BYE on leg {}: {}", call, side, e.getMessage());
        }
    }

    private void end(Call call) {
        if (call.state == Call.State.ENDED) {
            return;
        }
        call.state = Call.State.ENDED;
        callsByCallIdA.remove(call.callIdA, call); // by key: ending a call costs the same with 10 or 10,000 up
        if (call.dialogA != null) {
            callsByDialog.remove(call.dialogA, call);
        }
        if (call.dialogB != null) {
            callsByDialog.remove(call.dialogB, call);
        }
        if (call.inviteB != null) {
            callsByInviteB.remove(call.inviteB, call);
        }
        answerPendingRelayed(call);
        sdp.release(call);
        CALLS.info("{}: ended after {} s", call, java.time.Duration.between(call.started, java.time.Instant.now()).toSeconds());
    }

    /**
     * Requests relayed across the call that the far leg has not answered when the call ends (a
     * re-INVITE crossing a BYE): RFC 3261 15.1.2 wants them answered, 487 recommended, so the
     * sender does not wait until its timer runs out; a late answer from the far leg is ignored.
     */
    private void answerPendingRelayed(Call call) {
        for (ClientTransaction pending : List.copyOf(call.pendingRelayed)) {
            Relay relay = finishRelay(pending);
            if (relay == null || relay.origin() == null) {
                continue;
            }
            Request original = relay.origin().getRequest();
            try {
                if (relay.origin().getState() == javax.sip.TransactionState.TRYING
                        || relay.origin().getState() == javax.sip.TransactionState.PROCEEDING) {
                    relay.origin().sendResponse(sip.messages.createResponse(Response.REQUEST_TERMINATED, original));
                }
            } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
                LOG.debug("{}: 487 to a pending {}: {}", call, original.getMethod(), e.getMessage());
            }
        }
    }

    /**
     * A relayed request got its final answer, timed out, or its call ended: forgotten everywhere it
     * was registered (the relay, a re-INVITE's CANCEL key, its call's pending requests). Returns
     * the relay, or null when it was already finished.
     */
    private Relay finishRelay(ClientTransaction transaction) {
        Relay relay = relays.remove(transaction);
        if (relay == null) {
            return null;
        }
        if (relay.origin() != null && Request.INVITE.equals(relay.origin().getRequest().getMethod())) {
            reInvitesByOrigin.remove(originKey(relay.origin().getRequest()));
        }
        if (relay.call() != null) {
            synchronized (relay.call()) { // reentrant where the caller holds it already
                relay.call().pendingRelayed.remove(transaction);
            }
        }
        return relay;
    }

    /**
     * The media relay heard nothing on either leg for the media timeout: the call is ended with a
     * BYE on both legs (an unanswered call is failed towards the caller and cancelled towards the
     * callee), and the reason is logged.
     */
    public void endCallForMediaTimeout(Call call, String reason) {
        synchronized (call) {
            if (call.state == Call.State.ENDED) {
                return;
            }
            CALLS.info("{}: ending the call: media timeout ({})", call, reason);
            if (call.state == Call.State.CONFIRMED) {
                sendBye(call, Call.Side.A);
                sendBye(call, Call.Side.B);
                end(call);
            } else {
                if (call.provisionalFromB) {
                    cancelLegB(call);
                }
                endWithFailure(call, Response.REQUEST_TIMEOUT, "Media Timeout");
            }
        }
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

    /** jain-sip ended a dialog on its own (e.g. no ACK): end the call it belonged to, BYE on the other leg. */
    public void dialogTerminated(Dialog dialog) {
        Call call = callsByDialog.get(dialog);
        if (call == null) {
            return;
        }
        synchronized (call) {
            if (call.state == Call.State.CONFIRMED) {
                hangUp(call, dialog == call.dialogA ? Call.Side.B : Call.Side.A);
            }
        }
    }

    private SecureCallIconDisplayPolicy policy() {
        return model.get().config().enterpriseParameters().secureCallIconDisplayPolicy();
    }
}
