package org.sipshield.proxy.b2bua;

import java.util.ArrayList;
import java.util.List;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.message.Request;
import org.sipshield.proxy.security.Peer;

/**
 * One event subscription (RFC 6665) as two dialogs, the subscriber's (leg A, we answer its
 * SUBSCRIBE) and ours towards the notifier (leg B). Guarded by its own monitor, as a call is: every
 * field is read and written under it.
 */
final class Subscription {
    /** NOTIFYs that overtook the SUBSCRIBE's 2xx wait for it, a few at most. */
    static final int MAX_HELD = 4;

    final Peer subscriber;
    final Target target;
    final String callIdB;
    final SipProvider providerA;
    final Dialog dialogA;
    final String localTagA;
    final LegPeer peerA;
    final ServerTransaction subscribe;
    SipProvider providerB;
    Dialog dialogB;
    /** The hop we subscribed at until the notifier answers, then where its answer came from. */
    LegPeer peerB;
    /**
     * Each leg's remote target as its peer last set it (RFC 6665 4.1.2.1, 4.2.2): jain-sip's dialog
     * takes it from any request's Contact before our peer check runs, a stranger's included.
     */
    javax.sip.address.URI targetA;
    javax.sip.address.URI targetB;
    boolean confirmed;
    boolean ended;
    long expiresAtNanos;
    final List<Held> held = new ArrayList<>();

    record Held(Request request, ServerTransaction transaction) {}

    Subscription(Peer subscriber, Target target, String callIdB, SipProvider providerA, Dialog dialogA, String localTagA,
            LegPeer peerA, ServerTransaction subscribe) {
        this.subscriber = subscriber;
        this.target = target;
        this.callIdB = callIdB;
        this.providerA = providerA;
        this.dialogA = dialogA;
        this.localTagA = localTagA;
        this.peerA = peerA;
        this.subscribe = subscribe;
    }

    Peer peer(Call.Side side) {
        return side == Call.Side.A ? subscriber : target.peer();
    }

    LegPeer legPeer(Call.Side side) {
        return side == Call.Side.A ? peerA : peerB;
    }

    javax.sip.address.URI target(Call.Side side) {
        return side == Call.Side.A ? targetA : targetB;
    }

    /** A request or 2xx that passed the peer check names where its leg now wants requests. */
    void retarget(Call.Side side, javax.sip.message.Message message) {
        if (message.getHeader(javax.sip.header.ContactHeader.NAME) instanceof javax.sip.header.ContactHeader contact) {
            if (side == Call.Side.A) {
                targetA = contact.getAddress().getURI();
            } else {
                targetB = contact.getAddress().getURI();
            }
        }
    }

    Dialog dialog(Call.Side side) {
        return side == Call.Side.A ? dialogA : dialogB;
    }

    SipProvider provider(Call.Side side) {
        return side == Call.Side.A ? providerA : providerB;
    }

    /** Ended, or its expiry passed: what arrives for it now gets 481. */
    boolean isOver(long nowNanos) {
        return ended || confirmed && nowNanos - expiresAtNanos >= 0;
    }

    @Override
    public String toString() {
        return "subscription " + callIdB + " (" + subscriber.describe() + " -> " + target.peer().describe() + ")";
    }
}
