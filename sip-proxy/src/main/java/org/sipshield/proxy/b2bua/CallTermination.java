package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.TransactionState;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a call ends: failed towards the caller while unanswered, hung up with BYE (or CANCEL while
 * leg B rings), ended for media silence or because jain-sip ended a dialog; and what ending
 * releases: the registry's keys, the relay session, requests still pending across the call.
 * Every method is called under the call's monitor.
 */
final class CallTermination {
    private static final Logger LOG = LoggerFactory.getLogger(CallTermination.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");

    private final SipMessaging sip;
    private final SdpRewriter sdp;
    private final CallRegistry registry;
    private final LegRequests legRequests;
    /** The call-record hook: told once, as a call ends, before its media is released. */
    private volatile java.util.function.Consumer<Call> onEnded = call -> { };

    CallTermination(SipMessaging sip, SdpRewriter sdp, CallRegistry registry, LegRequests legRequests) {
        this.sip = sip;
        this.sdp = sdp;
        this.registry = registry;
        this.legRequests = legRequests;
    }

    /** The metrics hook: told once per call, when the caller gets its final answer. */
    private volatile CallOutcomes outcomes = (status, in, out, nanos) -> { };

    void onEnded(java.util.function.Consumer<Call> listener) {
        onEnded = listener;
    }

    void onDecided(CallOutcomes listener) {
        outcomes = listener;
    }

    /** The caller got its final answer (answered, or the call failed): the metrics hear it once. */
    void decided(Call call, int status) {
        outcomes.decided(status, trunkName(call.caller), trunkName(call.target.peer()), System.nanoTime() - call.startedNanos);
    }

    static String trunkName(org.sipshield.proxy.security.Peer peer) {
        return peer instanceof org.sipshield.proxy.security.Peer.Trunk trunk ? trunk.trunk().name() : null;
    }

    private static void endedBy(Call call, String who) {
        if (call.endedBy == null) {
            call.endedBy = who;
        }
    }

    /** The caller gets this final answer if it has none yet; then the call ends. */
    void fail(Call call, int status, String reason) {
        try {
            if (call.isUnanswered()) {
                Response response = sip.messages.createResponse(status, call.inviteA.getRequest());
                ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(call.localTagA);
                if (reason != null) {
                    response.setReasonPhrase(reason);
                }
                call.finalCode = status;
                call.inviteA.sendResponse(response);
            }
        } catch (SipException | ParseException | InvalidArgumentException e) {
            LOG.debug("{}: final response to leg A: {}", call, e.getMessage());
        }
        CALLS.info("{}: failed with {}", call, status);
        decided(call, status);
        endedBy(call, "sipshield");
        end(call);
    }

    /** One leg hung up: BYE towards the other (CANCEL while leg B only rings), and the call ends. */
    void hangUp(Call call, Call.Side towards) {
        endedBy(call, towards == Call.Side.B ? "caller" : "callee");
        if (call.isConfirmed()) {
            sendBye(call, towards);
        } else if (towards == Call.Side.B && call.inviteB != null && call.provisionalFromB) {
            cancelLegB(call);
        }
        end(call);
    }

    /** Both legs get a BYE and the call ends (media silence, an unusable answer). */
    void hangUpBoth(Call call) {
        endedBy(call, "sipshield");
        sendBye(call, Call.Side.A);
        sendBye(call, Call.Side.B);
        end(call);
    }

    void sendBye(Call call, Call.Side side) {
        sendBye(call, side, null);
    }

    /** reasonHeader: an RFC 3326 Reason value for the BYE, or null for none. */
    private void sendBye(Call call, Call.Side side, String reasonHeader) {
        Dialog dialog = call.dialog(side);
        try {
            if (dialog != null && dialog.getState() == javax.sip.DialogState.CONFIRMED) {
                Request bye = legRequests.inDialog(dialog, Request.BYE, call.provider(side));
                if (reasonHeader != null) {
                    bye.addHeader(sip.headers.createHeader("Reason", reasonHeader));
                }
                ClientTransaction transaction = call.provider(side).getNewClientTransaction(bye);
                registry.relay(transaction, new CallRegistry.Relay(null, call, side));
                dialog.sendRequest(transaction);
            }
        } catch (SipException | ParseException e) {
            LOG.debug("{}: BYE on leg {}: {}", call, side, e.getMessage());
        }
    }

    void cancelLegB(Call call) {
        try {
            Request cancel = call.inviteB.createCancel();
            call.providerB.getNewClientTransaction(cancel).sendRequest();
        } catch (SipException e) {
            LOG.debug("{}: CANCEL on leg B: {}", call, e.getMessage());
        }
    }

    /**
     * The media relay heard nothing on either leg for the media timeout: the call is ended with a
     * BYE on both legs (an unanswered call is failed towards the caller and cancelled towards the
     * callee), and the reason is logged.
     */
    void endForMediaTimeout(Call call, String reason) {
        if (call.isEnded()) {
            return;
        }
        CALLS.info("{}: ending the call: media timeout ({})", call, reason);
        endedBy(call, "sipshield");
        if (call.isConfirmed()) {
            hangUpBoth(call);
        } else {
            if (call.provisionalFromB) {
                cancelLegB(call);
            }
            fail(call, Response.REQUEST_TIMEOUT, "Media Timeout");
        }
    }

    /**
     * The proxy stops (a drain ran out of time): an answered call gets BYE on both legs carrying
     * reasonHeader, so the far ends can tell a stop from a hang-up; an unanswered one fails with 503
     * towards the caller and is cancelled towards the callee.
     */
    void endForStop(Call call, String reasonHeader) {
        if (call.isEnded()) {
            return;
        }
        CALLS.info("{}: ending the call: {}", call, reasonHeader);
        endedBy(call, "sipshield");
        if (call.isConfirmed()) {
            sendBye(call, Call.Side.A, reasonHeader);
            sendBye(call, Call.Side.B, reasonHeader);
            end(call);
        } else {
            if (call.provisionalFromB) {
                cancelLegB(call);
            }
            fail(call, Response.SERVICE_UNAVAILABLE, "Service Unavailable");
        }
    }

    /**
     * A clock of the call ran out (a leg's session timer, the maximum call duration): BYE with
     * reasonHeader on both legs, so each far end can tell why; SessionTimers starts clocks only
     * once a call is answered.
     */
    void endForTimer(Call call, String reasonHeader) {
        sendBye(call, Call.Side.A, reasonHeader);
        sendBye(call, Call.Side.B, reasonHeader);
        end(call);
    }

    void end(Call call) {
        if (!call.ended()) {
            return;
        }
        SessionTimers.stop(call);
        registry.remove(call);
        answerPendingRelayed(call);
        if (call.cancelled && call.finalCode == 0) {
            call.finalCode = Response.REQUEST_TERMINATED;
        }
        endedBy(call, call.cancelled ? "caller" : "sipshield");
        try {
            onEnded.accept(call);
        } catch (RuntimeException e) {
            LOG.warn("{}: call record: {}", call, e.toString()); // a record lost must not keep the call's ports
        }
        sdp.release(call);
        CALLS.info("{}: ended after {} s", call, Duration.between(call.started, Instant.now()).toSeconds());
    }

    /**
     * Requests relayed across the call that the far leg has not answered when the call ends (a
     * re-INVITE crossing a BYE): RFC 3261 15.1.2 wants them answered, 487 recommended, so the
     * sender does not wait until its timer runs out; a late answer from the far leg is ignored.
     */
    private void answerPendingRelayed(Call call) {
        for (ClientTransaction pending : List.copyOf(call.pendingRelayed)) {
            CallRegistry.Relay relay = registry.finishRelay(pending);
            if (relay == null || relay.origin() == null) {
                continue;
            }
            Request original = relay.origin().getRequest();
            try {
                if (relay.origin().getState() == TransactionState.TRYING
                        || relay.origin().getState() == TransactionState.PROCEEDING) {
                    relay.origin().sendResponse(sip.messages.createResponse(Response.REQUEST_TERMINATED, original));
                }
            } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
                LOG.debug("{}: 487 to a pending {}: {}", call, original.getMethod(), e.getMessage());
            }
        }
    }
}
