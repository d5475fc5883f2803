package org.sipshield.proxy.b2bua;

import java.security.SecureRandom;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sip.InvalidArgumentException;
import javax.sip.SipProvider;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.Header;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.digest.DigestChallenge;
import org.sipshield.digest.DigestClient;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a trunk peer's 401/407 to any request we sent it (a call's first INVITE, a relayed
 * in-dialog or out-of-dialog request, a BYE of our own) with the credentials of the SIP Realm it
 * names for that trunk: the request is built again with a fresh Via branch, the next CSeq and
 * the Authorization or Proxy-Authorization header of digest-auth's {@link DigestClient}.
 *
 * <p>A request is answered once: the caller keeps the answer the retry carried and passes it back
 * as {@code previous}, and a second challenge is then refused unless it says the nonce went stale
 * (RFC 7616 section 3.3 allows exactly that one more try). Whatever cannot be answered (no SIP
 * Realm for the trunk and realm, no algorithm we implement, not a trunk at all) is reported as
 * empty and the caller turns the challenge into 403: a bare 401/407 must never reach the other
 * leg, whose peer could neither answer it nor should learn the carrier's realm.
 */
final class TrunkChallengeResponder {
    private static final Logger LOG = LoggerFactory.getLogger(TrunkChallengeResponder.class);

    private final SipMessaging sip;
    private final Supplier<SecurityModel> model;
    private final SecureRandom random = new SecureRandom();
    /**
     * One client per trunk, so nc counts up per nonce across that trunk's requests (a carrier may
     * keep one nonce for several challenges). Its credentials are looked up in the model of the
     * moment, so a reload that changes a SIP Realm applies to the next challenge.
     */
    private final Map<String, DigestClient> clients = new ConcurrentHashMap<>();

    /** The request to send again and the answer it carries (the "previous" of a further challenge). */
    record Retry(Request request, DigestAnswer answer) {}

    TrunkChallengeResponder(SipMessaging sip, Supplier<SecurityModel> model) {
        this.sip = sip;
        this.model = model;
    }

    static boolean isChallenge(Response response) {
        int status = response.getStatusCode();
        return status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED;
    }

    /**
     * The retry of {@code sent} answering {@code challenge}, or empty when it must not or cannot be
     * answered. The retry's CSeq is one more than the challenged request's; inside a dialog, send it
     * with Dialog.sendRequest, which raises it further if the dialog's local sequence is already past it.
     *
     * @param peer     who challenged us: only a trunk peer is answered
     * @param previous the answer {@code sent} carried, or null when it carried none
     * @param provider the provider the retry leaves from (its listening point makes the Via)
     */
    Optional<Retry> retry(Request sent, Response challenge, Peer peer, DigestAnswer previous, SipProvider provider)
            throws ParseException, InvalidArgumentException {
        String method = sent.getMethod();
        if (!(peer instanceof Peer.Trunk trunk)) {
            LOG.info("{} {}: {} challenged it and is not a trunk: refused", method, challenge.getStatusCode(),
                    peer == null ? "an unknown peer" : peer.describe());
            return Optional.empty();
        }
        if (Request.ACK.equals(method) || Request.CANCEL.equals(method)) {
            return Optional.empty(); // neither can be challenged (RFC 3261 22.1); a peer that does is wrong
        }
        String trunkName = trunk.trunk().name();
        DigestHeaderKind kind = DigestHeaderKind.forStatus(challenge.getStatusCode());
        DigestClient client = clients.computeIfAbsent(trunkName,
                name -> new DigestClient(realm -> model.get().sipRealmCredentials(name, realm), random));
        Request retry = (Request) sent.clone();
        DigestAnswer answer = client.answer(kind, headerValues(challenge, kind.challengeHeader()), method,
                retry.getRequestURI().toString(), SipMessaging.body(retry), previous);
        if (!answer.answered()) {
            LOG.info("{}: trunk {} challenged it ({}) and we cannot answer: {}", method, trunkName,
                    challenge.getStatusCode(), answer);
            return Optional.empty();
        }
        if (previous != null && (!answer.challenge().orElseThrow().stale()
                || previous.challenge().map(DigestChallenge::stale).orElse(false))) {
            // DigestClient refuses a second answer in the same realm; a peer that changes realm, or
            // says stale twice, would otherwise keep us answering one request forever
            LOG.info("{}: trunk {} challenged it again ({}) after our answer: refused", method, trunkName,
                    challenge.getStatusCode());
            return Optional.empty();
        }
        retry.removeHeader(ViaHeader.NAME);
        var point = provider.getListeningPoints()[0];
        // a null branch: jain-sip makes a fresh one, so the retry is a new transaction (RFC 3261 8.1.3.5)
        retry.addHeader(sip.headers.createViaHeader(sip.localHost(provider), point.getPort(), point.getTransport(), null));
        CSeqHeader cseq = (CSeqHeader) retry.getHeader(CSeqHeader.NAME);
        cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        // our own credentials for the other kind (a proxy's and then the UAS's challenge) stay: RFC 3261 22.3
        retry.removeHeader(kind.credentialsHeader());
        retry.addHeader(sip.headers.createHeader(answer.headerName(), answer.headerValue().orElseThrow()));
        LOG.info("{}: answering the {} of trunk {} ({})", method, challenge.getStatusCode(), trunkName, answer);
        return Optional.of(new Retry(retry, answer));
    }

    /**
     * A request made by jain-sip's Dialog.createRequest carries the Proxy-Authorization of the
     * dialog's last request: the same nonce, nc and cnonce again, a replay a carrier may count as a
     * failed attempt (for another method its response cannot even match), and it would reach the
     * far end beside our fresh credentials when the next challenge is a 401. Our requests start
     * without credentials; the trunk's challenge is answered.
     */
    static void dropCopiedCredentials(Request request) {
        request.removeHeader(ProxyAuthorizationHeader.NAME);
        request.removeHeader(AuthorizationHeader.NAME);
    }

    /** Gives {@code to} exactly the credentials {@code from} carries (an ACK those of its INVITE). */
    static void copyCredentials(Request from, Request to) {
        dropCopiedCredentials(to);
        for (String name : List.of(AuthorizationHeader.NAME, ProxyAuthorizationHeader.NAME)) {
            ListIterator<?> values = from.getHeaders(name);
            while (values != null && values.hasNext()) {
                to.addHeader((Header) ((Header) values.next()).clone());
            }
        }
    }

    private static List<String> headerValues(Response response, String name) {
        List<String> values = new ArrayList<>();
        ListIterator<?> headers = response.getHeaders(name);
        while (headers != null && headers.hasNext()) {
            values.add(org.sipshield.proxy.transport.HeaderValues.of((Header) headers.next()));
        }
        return values;
    }
}
