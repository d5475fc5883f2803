package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACK of a 2xx to an INVITE we sent, for a call's first INVITE and for a re-INVITE alike. A
 * 2xx is acknowledged at once, unless it carries an SDP offer (our INVITE had none: RFC 3264's
 * delayed offer, because the origin's had none): then the answer comes in the origin leg's ACK, and
 * the ACK we owe carries it across. Called under the call's monitor.
 */
final class OwedAcks {
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");

    private final SipMessaging sip;
    private final SdpRewriter sdp;
    private final CallTermination termination;

    OwedAcks(SipMessaging sip, SdpRewriter sdp, CallTermination termination) {
        this.sip = sip;
        this.sdp = sdp;
        this.termination = termination;
    }

    /** Whether a 2xx to the INVITE we sent offers (it has SDP, our INVITE had none): its ACK must wait for the answer. */
    static boolean offers(Response ok, Request sentInvite) {
        return SipMessaging.body(ok) != null && SipMessaging.body(sentInvite) == null;
    }

    /** Acknowledges a 2xx now (also a retransmitted one, whose first ACK was lost). */
    void acknowledge(Dialog dialog, Response ok, Request sentInvite) throws InvalidArgumentException, SipException {
        dialog.sendAck(LegRequests.ackOf(dialog, cseqOf(ok), sentInvite));
    }

    /** The ACK of this 2xx on leg `leg` waits for the other leg's ACK, which brings the answer. */
    void owe(Call call, Call.Side leg, Dialog dialog, Response ok, Request sentInvite) {
        call.owedAck = new Call.OwedAck(leg, dialog, cseqOf(ok), sentInvite);
    }

    /**
     * The ACK of a 2xx that carried an SDP offer brings the answer: rewritten for the far leg, it
     * goes in the ACK we owed that leg. An ACK without an answer, or with one the SDP step refuses,
     * still completes the far leg's transaction; then the call cannot have media and is ended with
     * BYE on both legs (RFC 3261 section 13.2.2.4: the UAC must answer an offer in a 2xx in its ACK).
     */
    void pay(Call call, Call.Side from, Request ack) throws SipException, InvalidArgumentException, ParseException {
        Call.OwedAck owed = call.owedAck;
        if (owed == null || owed.towards() != from.other() || call.isEnded()) {
            return;
        }
        call.owedAck = null;
        Request out = LegRequests.ackOf(owed.dialog(), owed.cseq(), owed.invite());
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
            termination.hangUpBoth(call);
        }
    }

    private static long cseqOf(Response ok) {
        return ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }
}
