package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.List;
import java.util.ListIterator;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
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
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.transport.SipIdentifiers;

/**
 * How a request of one leg is built from what arrived on the other: rebuilt, never forwarded.
 * Only the caller's number and display name, the called user, the SDP (through the SDP step) and
 * a short list of headers that carry meaning rather than topology cross over; Via, Route,
 * Contact, Record-Route, Call-ID and tags stay on their leg.
 */
final class LegRequests {
    /** Headers that carry meaning across legs (Refer-To and Referred-By are rewritten: Transfers). */
    private static final List<String> CROSSING_HEADERS = List.of("Event", "Subscription-State", "Expires", "Accept",
            "Subject", "Info-Package", "Reason", "Priority");

    private final SipMessaging sip;
    private final IdentityHeaders identity;

    LegRequests(SipMessaging sip) {
        this.sip = sip;
        this.identity = new IdentityHeaders(sip.headers, sip.addresses);
    }

    /**
     * A request out of any dialog, to one hop: only the caller's identity and the called user
     * cross over, and the identity and redirection headers the two peers are trusted with.
     */
    Request towards(Request original, String method, Hop hop, SipProvider provider, Peer caller, Peer target)
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
        // a phone is called at its registered contact, but To names the number called (RFC 3261 8.1.1.2:
        // the logical recipient): a phone takes its own identity in the dialog from it (baresip calls a
        // Refer-To as that user)
        String called = target instanceof Peer.Device && original.getRequestURI() instanceof SipURI uri && uri.getUser() != null
                ? uri.getUser() : hop.user();
        ToHeader to = sip.headers.createToHeader(sip.addresses.createAddress(sip.addresses.createSipURI(called, hop.host())), null);
        CallIdHeader callId = sip.headers.createCallIdHeader(SipIdentifiers.callId());
        if (hop.connection() != null) {
            sip.flows.pin(callId.getCallId(), hop.connection()); // this leg's requests go over the phone's connection
        }
        CSeqHeader cseq = sip.headers.createCSeqHeader(1L, method);
        var point = provider.getListeningPoints()[0];
        ViaHeader via = sip.headers.createViaHeader(sip.localHost(provider), point.getPort(), point.getTransport(), null);
        MaxForwardsHeader maxForwards = (MaxForwardsHeader) original.getHeader(MaxForwardsHeader.NAME);
        int hopsLeft = maxForwards == null ? 70 : Math.max(0, maxForwards.getMaxForwards() - 1);
        Request request = sip.messages.createRequest(requestUri, method, callId, cseq, from, to, List.of(via),
                sip.headers.createMaxForwardsHeader(hopsLeft));
        copyCrossing(original, request);
        identity.carry(original, caller, target, request, sip.localHost(provider));
        if (!Request.INVITE.equals(method)) {
            sip.copyBody(original, request);
        }
        return request;
    }

    /**
     * A request in a dialog of ours. jain-sip's dialog copies the last Proxy-Authorization it sent
     * into every request it makes (the same nonce, nc and cnonce again): it starts without, and a
     * trunk's challenge is answered afresh. INVITE and UPDATE refresh the target: they carry our
     * Contact (the dialog's own, jain-sip's, is replaced, never doubled).
     */
    Request inDialog(Dialog dialog, String method, SipProvider provider) throws SipException, ParseException {
        Request request = dialog.createRequest(method);
        TrunkChallengeResponder.dropCopiedCredentials(request);
        if (Request.INVITE.equals(method) || Request.UPDATE.equals(method)) {
            request.setHeader(sip.contact(provider, null));
        }
        return request;
    }

    /**
     * The answering leg's identity headers, by trust, from its answer into the other leg's
     * ({@link IdentityHeaders#carryAnswer}): leg B's 18x/2xx to the first INVITE, and either leg's
     * answer to a re-INVITE. The answerer's number is the one its leg was set up with: the called
     * user on leg B, the caller on leg A.
     */
    void carryAnswerIdentity(Response answer, Call call, Call.Side answering, Response back) throws ParseException {
        var uri = answering == Call.Side.B ? ((ToHeader) call.requestB.getHeader(ToHeader.NAME)).getAddress().getURI()
                : ((FromHeader) call.inviteA.getRequest().getHeader(FromHeader.NAME)).getAddress().getURI();
        String answered = uri instanceof SipURI sipUri && sipUri.getUser() != null ? sipUri.getUser() : "anonymous";
        identity.carryAnswer(answer, call.peer(answering), call.peer(answering.other()), back, answered,
                sip.localHost(call.provider(answering.other())));
    }

    /** What crosses from a request into the other leg's request: the crossing headers and a non-SDP body. */
    void copyRequest(Request from, Request to) throws ParseException {
        copyCrossing(from, to);
        if (!Request.INVITE.equals(to.getMethod()) && !Request.UPDATE.equals(to.getMethod())) {
            sip.copyBody(from, to);
        }
    }

    /** The crossing headers of a message, added to another. */
    void copyCrossing(Message from, Message to) {
        for (String name : CROSSING_HEADERS) {
            ListIterator<?> values = from.getHeaders(name);
            while (values != null && values.hasNext()) {
                to.addHeader((Header) ((Header) values.next()).clone());
            }
        }
    }

    /**
     * The ACK of a 2xx, with the credentials of the INVITE it acknowledges (RFC 3261 13.2.2.4):
     * jain-sip copies in only a Proxy-Authorization, and only one its dialog sent.
     */
    static Request ackOf(Dialog dialog, long cseq, Request invite) throws InvalidArgumentException, SipException {
        Request ack = dialog.createAck(cseq);
        TrunkChallengeResponder.copyCredentials(invite, ack);
        return ack;
    }

    static String callerUser(Request request) {
        var uri = ((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI();
        return uri instanceof SipURI sipUri && sipUri.getUser() != null ? sipUri.getUser() : "anonymous";
    }

    static Transport transportOf(Request request) {
        String transport = ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport();
        return Transport.valueOf(transport.toUpperCase(java.util.Locale.ROOT));
    }
}
