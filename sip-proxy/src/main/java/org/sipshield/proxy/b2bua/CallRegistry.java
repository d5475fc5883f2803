package org.sipshield.proxy.b2bua;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.proxy.security.Peer;

/**
 * Where the B2BUA finds a call or a relayed request again: calls by leg A's Call-ID, by either
 * leg's dialog and by leg B's INVITE transaction; relayed requests by their client transaction,
 * and relayed re-INVITEs by the origin transaction a CANCEL names. Concurrent maps: every lookup
 * is by key, and ending a call removes it by its keys (the cost is the same with 10 or 10,000 up).
 */
final class CallRegistry {
    /**
     * A request we sent on behalf of another (or one of our own, a BYE or an UPDATE: no origin):
     * where its final answer goes back to. peer: who it went to when no call says it (out-of-dialog
     * requests); answer: the credentials it carried, after a challenge of that peer (answered once only).
     */
    record Relay(ServerTransaction origin, Call call, Call.Side towards, Peer peer, DigestAnswer answer) {
        Relay(ServerTransaction origin, Call call, Call.Side towards) {
            this(origin, call, towards, null, null);
        }

        /** Who the request went to. */
        Peer addressee() {
            return peer != null || call == null ? peer : call.peer(towards);
        }
    }

    private final Map<String, Call> callsByCallIdA = new ConcurrentHashMap<>();
    /** By leg B's Call-ID (ours): what a Replaces naming leg B finds. */
    private final Map<String, Call> callsByCallIdB = new ConcurrentHashMap<>();
    private final Map<Dialog, Call> callsByDialog = new ConcurrentHashMap<>();
    private final Map<ClientTransaction, Call> callsByInviteB = new ConcurrentHashMap<>();
    private final Map<ClientTransaction, Relay> relays = new ConcurrentHashMap<>();
    /** Relayed in-dialog INVITEs by their origin's branch and Call-ID: what a CANCEL of a re-INVITE matches. */
    private final Map<String, ClientTransaction> reInvitesByOrigin = new ConcurrentHashMap<>();

    int activeCalls() {
        return callsByCallIdA.size();
    }

    /** The calls up or being set up now, as a copy (each is read under its own monitor). */
    java.util.List<Call> calls() {
        return java.util.List.copyOf(callsByCallIdA.values());
    }

    /** A new call, known by leg A's Call-ID and dialog. */
    void add(Call call) {
        callsByCallIdA.put(call.callIdA, call);
        callsByDialog.put(call.dialogA, call);
    }

    /** Leg B's INVITE (an attempt towards one destination) and the dialog it may create. */
    void addLegB(Call call, ClientTransaction invite, Dialog dialog) {
        callsByInviteB.put(invite, call);
        callsByDialog.put(dialog, call);
        callsByCallIdB.put(dialog.getCallId().getCallId(), call);
    }

    /** Leg B's attempt failed: the call goes on to the next destination or ends. */
    void forgetLegB(Call call, ClientTransaction invite) {
        callsByInviteB.remove(invite);
        if (call.dialogB != null) {
            callsByDialog.remove(call.dialogB);
            callsByCallIdB.remove(call.dialogB.getCallId().getCallId(), call);
        }
    }

    Call byCallIdA(String callId) {
        return callsByCallIdA.get(callId);
    }

    Call byCallIdB(String callId) {
        return callsByCallIdB.get(callId);
    }

    Call byDialog(Dialog dialog) {
        return dialog == null ? null : callsByDialog.get(dialog);
    }

    Call byInviteB(ClientTransaction transaction) {
        return callsByInviteB.get(transaction);
    }

    /** The ended call is forgotten under every key it was registered with. */
    void remove(Call call) {
        callsByCallIdA.remove(call.callIdA, call);
        if (call.dialogA != null) {
            callsByDialog.remove(call.dialogA, call);
        }
        if (call.dialogB != null) {
            callsByDialog.remove(call.dialogB, call);
            callsByCallIdB.remove(call.dialogB.getCallId().getCallId(), call);
        }
        if (call.inviteB != null) {
            callsByInviteB.remove(call.inviteB, call);
        }
    }

    /**
     * A request sent on the relay's behalf. One relayed within a call for an origin is also the
     * call's pending request (answered 487 if the call ends first) and, an INVITE, what a CANCEL of
     * the origin's re-INVITE finds. Called under the call's monitor.
     */
    void relay(ClientTransaction transaction, Relay relay) {
        relays.put(transaction, relay);
        if (relay.call() != null && relay.origin() != null) {
            relay.call().pendingRelayed.add(transaction);
            if (Request.INVITE.equals(transaction.getRequest().getMethod())) {
                reInvitesByOrigin.put(originKey(relay.origin().getRequest()), transaction);
            }
        }
    }

    Relay relayOf(ClientTransaction transaction) {
        return relays.get(transaction);
    }

    /** The relayed re-INVITE a CANCEL with this origin key names, or null. */
    ClientTransaction reInviteByOrigin(String key) {
        return reInvitesByOrigin.get(key);
    }

    /**
     * A relayed request got its final answer, timed out, or its call ended: forgotten everywhere it
     * was registered (the relay, a re-INVITE's CANCEL key, its call's pending requests). Returns
     * the relay, or null when it was already finished.
     */
    Relay finishRelay(ClientTransaction transaction) {
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

    /** An INVITE's transaction as its CANCEL names it (RFC 3261 9.2: same top Via branch and sent-by, same Call-ID). */
    static String originKey(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return (via == null ? "" : via.getBranch() + '\n' + via.getHost() + ':' + via.getPort()) + '\n'
                + ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }
}
