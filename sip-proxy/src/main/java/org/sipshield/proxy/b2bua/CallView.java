package org.sipshield.proxy.b2bua;

import java.time.Instant;

/**
 * What operations may see of one call (the admin API's list, the call record): no SDP, no keys,
 * no credentials, only how each leg is carried and protected and how the call went. Taken under
 * the call's monitor, so its fields agree with each other.
 *
 * @param endedBy   "caller", "callee" or "sipshield" (media timeout, stop, an operator), null while up
 * @param finalCode the caller's final answer (200 once answered), 0 while none
 */
public record CallView(long id, String callId, String caller, String callee, String state, Instant setup,
        Instant answered, Instant ended, int finalCode, String endedBy, Leg legA, Leg legB, String security) {

    /**
     * @param transport the leg's SIP transport, null before leg B answered
     * @param tlsSuite  the negotiated TLS suite on TLS, else null
     * @param srtpSuite the leg's SRTP crypto suite as last negotiated, "RTP" for plain media, null when unknown
     * @param security  Encrypted, Authenticated or NotAuthenticated (the reference's labels)
     * @param media     the relay's counters of this leg so far, null before its media was anchored
     */
    public record Leg(String transport, String tlsSuite, String srtpSuite, String security, Media media) {}

    /**
     * One leg's media as the relay counted it: "in" is what the leg's peer sent and the relay
     * accepted, "out" what the relay sent it (RTP and RTCP together). srtpAuthFailures and
     * srtpReplays are packets of that peer refused by SRTP (a forged or corrupted tag, a replayed
     * index): never forwarded, not in packetsIn.
     */
    public record Media(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long srtpAuthFailures,
            long srtpReplays) {}

    static CallView of(Call call, SdpRewriter sdp, org.sipshield.config.SecureCallIconDisplayPolicy policy) {
        return new CallView(call.id, call.callIdA, call.caller.describe(), call.target.peer().describe(),
                call.state().name(), call.started, call.answeredAt, call.endedAt, call.finalCode, call.endedBy,
                leg(call, Call.Side.A, sdp, policy), leg(call, Call.Side.B, sdp, policy), call.security(policy).label());
    }

    private static Leg leg(Call call, Call.Side side, SdpRewriter sdp, org.sipshield.config.SecureCallIconDisplayPolicy policy) {
        LegPeer peer = call.legPeer(side);
        return new Leg(peer == null ? null : peer.transport().name(), peer == null ? null : peer.cipherSuite(),
                sdp.srtpSuite(call, side), call.security(side, policy).label(), sdp.media(call, side));
    }
}
