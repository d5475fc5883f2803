package org.sipshield.proxy.b2bua;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.message.Request;
import org.sipshield.config.SecureCallIconDisplayPolicy;
import org.sipshield.proxy.security.Peer;

/**
 * One call through the B2BUA: the inbound leg (A, where the caller's INVITE arrived, we are its
 * UAS) and the outbound leg (B, our own INVITE to the target, we are its UAC). The two legs share
 * nothing on the wire: each has its own Call-ID, tags, CSeq, Via and Contact.
 *
 * <p>The locking rule: every mutable field of a call (and the jain-sip dialogs and transactions it
 * holds) is read and written only while holding the call's own monitor, from whichever stack or
 * relay thread the event arrives on. No code holds two calls' monitors at once (what one call needs
 * to know of another, e.g. the dialog a Replaces header names, is read before taking its own), and
 * no lock is shared between calls. The final fields are set before the call is published.
 */
public final class Call {
    private static final AtomicLong IDS = new AtomicLong();

    public enum Side {
        A, B;

        public Side other() {
            return this == A ? B : A;
        }
    }

    public enum State {
        TRYING, EARLY, CONFIRMED, ENDED
    }

    final long id = IDS.incrementAndGet();
    final Instant started = Instant.now();
    /** For the setup time metric: System.nanoTime() when the caller's INVITE became this call. */
    final long startedNanos = System.nanoTime();
    final Peer caller;
    final Target target;
    /** Leg A's Call-ID: the call's key in the B2BUA's registry. */
    final String callIdA;
    /** The Replaces value for leg B (the named call's far leg, as its peer names it: Transfers), or null. */
    final String replacesB;
    /** The call that INVITE with Replaces takes the place of: ended once this one is answered (null: none). */
    private Call replaced;

    // leg A
    final SipProvider providerA;
    final ServerTransaction inviteA;
    final Dialog dialogA;
    final String localTagA;
    /** Who may send requests in leg A's dialog: where the INVITE came from. */
    final LegPeer peerA;

    // leg B
    SipProvider providerB;
    ClientTransaction inviteB;
    Dialog dialogB;
    Request requestB;
    int hopIndex;
    boolean provisionalFromB;
    Object digestAnswerB;
    /** Who may send requests in leg B's dialog: where leg B's answer came from; null until it answers. */
    LegPeer peerB;

    /**
     * An ACK we owe one leg: its 2xx carried an SDP offer (the INVITE we sent had none, RFC 3264
     * delayed offer), so the answer comes in the other leg's ACK and crosses in ours, with the
     * credentials of the INVITE it acknowledges.
     */
    record OwedAck(Side towards, Dialog dialog, long cseq, Request invite) {}

    OwedAck owedAck;
    /** In-dialog requests relayed to the other leg and not yet answered there (answered 487 if the call ends first). */
    final java.util.Set<ClientTransaction> pendingRelayed = new java.util.HashSet<>();
    private State state = State.TRYING;
    /** For the call record and the admin API (CallView); set on the transitions below and by CallTermination. */
    Instant answeredAt;
    Instant endedAt;
    int finalCode;
    String endedBy;
    boolean cancelled;
    /**
     * Whether each leg's media is encrypted, as negotiated: the policies under which the last SDP
     * seen on the leg counted as encrypted (MediaEncryption.encryptedUnder). Not the SDP itself:
     * its text carries SRTP keys and would live as long as the call.
     */
    Set<SecureCallIconDisplayPolicy> encryptedUnderA = Set.of();
    Set<SecureCallIconDisplayPolicy> encryptedUnderB = Set.of();
    /** The call security status each leg's peer was last told (null: never), so a change is told once. */
    LegSecurity toldA;
    LegSecurity toldB;
    /** The call's session timers, maximum duration and admission slots. */
    final SessionTimers.State timers = new SessionTimers.State();
    /** Whether each leg's peer accepts UPDATE (its Allow header): how a changed status reaches it mid-call. */
    boolean updateAllowedA;
    boolean updateAllowedB;

    Call(Peer caller, Target target, String callIdA, Transfers.Replacement.Mapped replacement, SipProvider providerA, ServerTransaction inviteA,
            Dialog dialogA, String localTagA, LegPeer peerA) {
        this.caller = caller;
        this.target = target;
        this.callIdA = callIdA;
        this.replacesB = replacement == null ? null : replacement.value();
        this.replaced = replacement == null ? null : replacement.replaced();
        this.providerA = providerA;
        this.inviteA = inviteA;
        this.dialogA = dialogA;
        this.localTagA = localTagA;
        this.peerA = peerA;
    }

    public long id() {
        return id;
    }

    public Peer caller() {
        return caller;
    }

    public Target target() {
        return target;
    }

    public synchronized State state() {
        return state;
    }

    /**
     * The call's states and their only transitions: TRYING -> EARLY (a provisional answer from leg
     * B) -> CONFIRMED (its 2xx, answered to the caller), and ENDED from any state, once. Each
     * returns whether the transition happened; none goes back.
     */
    boolean ringing() {
        if (!isUnanswered()) {
            return false;
        }
        state = State.EARLY;
        return true;
    }

    boolean answered() {
        if (!isUnanswered()) {
            return false;
        }
        state = State.CONFIRMED;
        answeredAt = Instant.now();
        finalCode = 200;
        return true;
    }

    boolean ended() {
        if (state == State.ENDED) {
            return false;
        }
        state = State.ENDED;
        endedAt = Instant.now();
        return true;
    }

    /** Leg B has not answered yet (and the call is not over): the caller still waits for a final response. */
    boolean isUnanswered() {
        return state == State.TRYING || state == State.EARLY;
    }

    boolean isConfirmed() {
        return state == State.CONFIRMED;
    }

    boolean isEnded() {
        return state == State.ENDED;
    }

    /**
     * A leg's dialog as its peer names it in a Replaces header (call-id;to-tag=its tag;from-tag=ours,
     * RFC 3891), or null before the leg is established.
     */
    synchronized String replacesValue(Side side) {
        Dialog dialog = dialog(side);
        String theirs = remoteTag(side);
        if (dialog == null || theirs == null) {
            return null;
        }
        return dialog.getCallId().getCallId() + ";to-tag=" + theirs + ";from-tag=" + localTag(side);
    }

    /** Our tag on a leg. */
    String localTag(Side side) {
        return side == Side.A ? localTagA : dialogB == null ? null : dialogB.getLocalTag();
    }

    /** The peer's tag on a leg: the caller's From tag on A, the answer's To tag on B (null before it). */
    String remoteTag(Side side) {
        if (side == Side.A) {
            return ((javax.sip.header.FromHeader) inviteA.getRequest().getHeader(javax.sip.header.FromHeader.NAME)).getTag();
        }
        return dialogB == null ? null : dialogB.getRemoteTag();
    }

    /**
     * Once answered, the call this one replaces, handed out once: the caller ends it after leaving
     * this call's monitor (never two calls' monitors at once).
     */
    Call takeReplaced() {
        if (!isConfirmed() || replaced == null) {
            return null;
        }
        Call taken = replaced;
        replaced = null;
        return taken;
    }

    Dialog dialog(Side side) {
        return side == Side.A ? dialogA : dialogB;
    }

    /** The peer on one leg: the caller on A, the target on B. */
    Peer peer(Side side) {
        return side == Side.A ? caller : target.peer();
    }

    LegPeer legPeer(Side side) {
        return side == Side.A ? peerA : peerB;
    }

    SipProvider provider(Side side) {
        return side == Side.A ? providerA : providerB;
    }

    LegSecurity security(Side side, SecureCallIconDisplayPolicy policy) {
        LegPeer wire = legPeer(side);
        boolean srtp = (side == Side.A ? encryptedUnderA : encryptedUnderB).contains(policy);
        return LegSecurity.of(wire == null ? SignallingProtection.NONE : wire.signalling(), srtp,
                peer(side) instanceof Peer.Trunk);
    }

    void encryptedUnder(Side side, Set<SecureCallIconDisplayPolicy> policies) {
        if (side == Side.A) {
            encryptedUnderA = policies;
        } else {
            encryptedUnderB = policies;
        }
    }

    LegSecurity told(Side side) {
        return side == Side.A ? toldA : toldB;
    }

    void told(Side side, LegSecurity status) {
        if (side == Side.A) {
            toldA = status;
        } else {
            toldB = status;
        }
    }

    boolean updateAllowed(Side side) {
        return side == Side.A ? updateAllowedA : updateAllowedB;
    }

    /** The call's status under the reference's rule: its weakest leg. */
    LegSecurity security(SecureCallIconDisplayPolicy policy) {
        return LegSecurity.weakest(security(Side.A, policy), security(Side.B, policy));
    }

    @Override
    public String toString() {
        return "call " + id + " (" + caller.describe() + " -> " + target.peer().describe() + ")";
    }
}
