package org.sipshield.proxy.media;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.RelaySession;
import org.sipshield.proxy.b2bua.Call;
import org.sipshield.proxy.b2bua.CallView;
import org.sipshield.proxy.b2bua.SdpRejectedException;
import org.sipshield.proxy.b2bua.SdpRewriter;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpKeyManager;

/**
 * The B2BUA's SDP step on the media relay: every call's audio is anchored on relay ports, and
 * SRTP is negotiated per leg (SDES, the configured SRTP Ciphers policy, the leg's profile) with
 * fresh keys for every leg, direction and offer. A leg that must have SRTP and cannot is refused
 * with 488 ({@link SdpRejectedException}).
 */
public final class MediaSdpRewriter implements SdpRewriter {
    private final MediaRelay relay;
    private final Supplier<SrtpCipherPolicy> policy;
    private final SrtpKeyManager keys;
    private final Map<Long, CallMedia> calls = new ConcurrentHashMap<>();
    private volatile BiConsumer<Call, String> mediaTimeout = (call, reason) -> { };

    /**
     * @param policy the SRTP Ciphers policy in force (read at each offer, so a reload applies to the next one)
     */
    public MediaSdpRewriter(MediaRelay relay, Supplier<SrtpCipherPolicy> policy, SrtpKeyManager keys) {
        this.relay = Objects.requireNonNull(relay, "relay");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** Who ends a call whose media went silent (the B2BUA: BYE on both legs). */
    public void onMediaTimeout(BiConsumer<Call, String> handler) {
        this.mediaTimeout = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public byte[] rewrite(Call call, Call.Side arrivedOn, byte[] sdp) {
        if (sdp == null || sdp.length == 0) {
            return sdp; // no offer here (delayed offer): nothing to anchor yet
        }
        if (call.state() == Call.State.ENDED) {
            // its media is released: anchoring it again would leave a relay session nobody ends
            throw new SdpRejectedException(481, "the call has ended");
        }
        Optional<SdpMessage> parsed = SdpMessage.parse(sdp);
        if (parsed.isEmpty()) {
            throw new SdpRejectedException(488, "the body is not an SDP we can anchor");
        }
        return calls.computeIfAbsent(call.id(), id -> new CallMedia(call, this)).rewrite(arrivedOn, sdp, parsed.get());
    }

    @Override
    public void release(Call call) {
        CallMedia media = calls.remove(call.id());
        if (media != null) {
            media.close();
        }
    }

    @Override
    public String srtpSuite(Call call, Call.Side side) {
        CallMedia media = calls.get(call.id());
        return media == null ? null : media.srtpSuite(side);
    }

    @Override
    public CallView.Media media(Call call, Call.Side side) {
        CallMedia media = calls.get(call.id());
        return media == null ? null : media.counters(side);
    }

    /** The relay sessions of a call by m= line, null where a line has none; empty before any offer (tests). */
    List<RelaySession> relaySessions(Call call) {
        CallMedia media = calls.get(call.id());
        return media == null ? List.of() : media.relaySessions();
    }

    /** Calls with media state (for tests and metrics). */
    public int activeCalls() {
        return calls.size();
    }

    SdesNegotiator negotiator() {
        return new SdesNegotiator(policy.get(), keys);
    }

    LegMediaSecurity security(Call call, Call.Side side) {
        return LegMediaSecurity.of(side == Call.Side.A ? call.caller() : call.target().peer());
    }

    String advertisedAddress() {
        return relay.options().bindAddress().getHostAddress();
    }

    /**
     * A relay session for one stream of a call: the call's audio ends the call when silent, its
     * other streams may stay silent as long as they like.
     *
     * @throws org.sipshield.media.MediaPortsExhaustedException when no port pair is left for a leg
     */
    RelaySession openRelaySession(Call call, String stream, boolean endsCallOnSilence) {
        String label = call + " " + stream;
        return endsCallOnSilence ? relay.openSession(label, (session, reason) -> mediaTimeout.accept(call, reason))
                : relay.openSessionSilenceMayLast(label);
    }
}
