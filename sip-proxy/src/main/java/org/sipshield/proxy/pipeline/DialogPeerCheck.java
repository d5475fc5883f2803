package org.sipshield.proxy.pipeline;

import javax.sip.message.Request;
import org.sipshield.proxy.b2bua.DialogMatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step of a request inside a dialog (a To tag) and of a CANCEL: it must come from the peer of
 * the call leg it names, which it then speaks as (so digest challenges it as that peer). A stranger
 * gets 403 and the call goes on; a request naming no call of ours gets 481 only when its source
 * classifies like any out-of-dialog request, else what an unknown source gets (403 or silence).
 * An ACK is never answered: a stranger's ACK is dropped.
 */
public final class DialogPeerCheck implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    /** The B2BUA's answer to "whose leg is this": {@link org.sipshield.proxy.b2bua.B2bua#match}. */
    public interface Dialogs {
        DialogMatch match(InboundRequest request);
    }

    private final Dialogs dialogs;
    private final PipelineStep identify;

    /** identify: the steps that say who an out-of-dialog request comes from (classification, device certificates). */
    public DialogPeerCheck(Dialogs dialogs, PipelineStep identify) {
        this.dialogs = dialogs;
        this.identify = identify;
    }

    /**
     * The stranger's refusal alone, or proceed: what {@link org.sipshield.proxy.screening.ScreeningValve}
     * asks before jain-sip's dialog layer sees the request. Past that point jain-sip has already taken a
     * target refresh's Contact as the dialog's remote target and its CSeq as the one to exceed, so a
     * stranger refused only here would still steer our next request and lock out the real peer.
     */
    public Verdict refuseStranger(InboundRequest inbound) {
        return dialogs.match(inbound) instanceof DialogMatch.Stranger stranger ? refuse(inbound, stranger) : Verdict.proceed();
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        DialogMatch match = dialogs.match(inbound);
        if (match instanceof DialogMatch.Leg leg) {
            inbound.peer(leg.peer());
            return Verdict.proceed();
        }
        if (match instanceof DialogMatch.Stranger stranger) {
            return refuse(inbound, stranger);
        }
        if (Request.ACK.equals(inbound.method())) {
            return Verdict.drop("ACK for no call of ours");
        }
        Verdict known = identify.apply(inbound);
        return known.proceeds() ? Verdict.respond(481, "Call/Transaction Does Not Exist") : known;
    }

    private static Verdict refuse(InboundRequest inbound, DialogMatch.Stranger stranger) {
        SECURITY.info("SECURITY dialog-peer-mismatch src={} port={} transport={} method={} leg-peer=\"{}\" reason=\"{}\"",
                inbound.source().getAddress().getHostAddress(), inbound.source().getPort(), inbound.transport(),
                inbound.method(), stranger.legPeer().describe(), stranger.reason());
        return Request.ACK.equals(inbound.method()) ? Verdict.drop("ACK from a stranger to the dialog")
                : Verdict.refuseStranger(403, "Forbidden");
    }
}
