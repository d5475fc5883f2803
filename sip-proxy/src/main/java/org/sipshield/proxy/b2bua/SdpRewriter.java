package org.sipshield.proxy.b2bua;

/**
 * The per-leg SDP step: every offer and answer crossing from one leg to the other passes here,
 * so the media relay can anchor media and the key manager can give each leg its own SRTP keys
 * (media/MediaSdpRewriter is the one implementation).
 */
public interface SdpRewriter {
    /** The SDP to send on the far leg of the call, for an SDP that arrived on the near leg. */
    byte[] rewrite(Call call, Call.Side arrivedOn, byte[] sdp);

    /** Called once a call ends, to release what the call held (ports, keys). */
    default void release(Call call) {
    }

    /** The SRTP suite last negotiated on one leg ("RTP" for plain media), or null when not known. */
    default String srtpSuite(Call call, Call.Side side) {
        return null;
    }

    /** One leg's media counters so far, read from the relay (never counted on the packet path); null without media. */
    default CallView.Media media(Call call, Call.Side side) {
        return null;
    }
}
