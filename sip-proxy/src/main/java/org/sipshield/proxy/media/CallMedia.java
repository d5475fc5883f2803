package org.sipshield.proxy.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sipshield.media.LegMedia;
import org.sipshield.media.LegCounters;
import org.sipshield.media.RelaySession;
import org.sipshield.media.RelaySide;
import org.sipshield.proxy.b2bua.Call;
import org.sipshield.proxy.b2bua.CallView;
import org.sipshield.proxy.b2bua.SdpRejectedException;
import org.sipshield.proxy.media.SdpMessage.SdpMedia;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesNegotiator;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SdesSelection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media half of one call: its relay session and the SDP offer/answer in progress. An offer
 * from one leg is answered for that leg by us (SDES with a fresh key of ours) and re-offered on the
 * other leg with other fresh keys and the relay's address; the far answer completes both legs and
 * configures the relay. Signalling threads only; guarded by its own monitor (one per call).
 */
final class CallMedia {
    private static final Logger LOG = LoggerFactory.getLogger(CallMedia.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");
    /** Attributes that describe the peer's own transport: they never cross to the other leg (nor do keys). */
    private static final String[] LEG_LOCAL = {"rtcp", "rtcp-mux", "candidate", "remote-candidates", "ice-ufrag",
        "ice-pwd", "ice-options", "ice-lite", "fingerprint", "setup", "connection", "rtcp-rsize",
        // RFC 5576 source attributes: their CNAME names the caller's user and host (topology hiding)
        "ssrc", "ssrc-group"};

    private final Call call;
    private final MediaSdpRewriter owner;
    /**
     * How to answer each leg's last SDP again if it repeats: its SHA-256, and our answer without
     * its keys. The key lines are rendered from the negotiation state when the repeat comes, so no
     * SDP text with a key outlives the message it went out in.
     */
    private final Map<Call.Side, Repeat> repeats = new EnumMap<>(Call.Side.class);
    private RelaySession session;
    /** Each leg's media as last anchored: its SRTP suite or "RTP" (for the admin API and call records). */
    private final Map<Call.Side, String> suites = new java.util.concurrent.ConcurrentHashMap<>();
    private Pending pending;
    private boolean closed;

    /** An offer from one leg waiting for the other leg's answer. */
    private static final class Pending {
        Call.Side offerer;
        String offeredProto; // null: no audio to anchor, the exchange passes (keys stripped)
        InetSocketAddress rtp;
        InetSocketAddress rtcp;
        boolean mux;
        boolean holds; // the offer puts the stream on hold
        SdesAnswer answerToOfferer; // null: plain RTP towards the offerer
        SdesOffer offerToAnswerer;  // null: plain RTP offered to the answerer

        void discard() {
            if (answerToOfferer != null) {
                answerToOfferer.selection().ifPresent(SdesSelection::discard);
            }
            if (offerToAnswerer != null) {
                offerToAnswerer.close();
            }
        }
    }

    CallMedia(Call call, MediaSdpRewriter owner) {
        this.call = call;
        this.owner = owner;
    }

    synchronized byte[] rewrite(Call.Side arrivedOn, byte[] body, SdpMessage sdp) {
        if (closed) {
            throw new SdpRejectedException(488, "the call's media is closed");
        }
        byte[] digest = sha256(body);
        Repeat repeat = repeats.get(arrivedOn);
        if (repeat != null && Arrays.equals(repeat.digest, digest) && repeat.stillValid(pending)) {
            return repeat.render(); // the same SDP again: a 200 repeating a 183's answer, or a retried offer
        }
        boolean answering = pending != null && pending.offerer != arrivedOn;
        if (answering) {
            repeats.remove(pending.offerer); // the offer is answered: a repeat of it would be a new offer
        } else {
            repeats.clear(); // a new exchange: what the last one answered can no longer be repeated
        }
        return answering ? answer(arrivedOn, sdp, digest) : offer(arrivedOn, sdp, digest);
    }

    /**
     * Our SDP for one leg's SDP, without its key lines, and what renders them again: the offer still
     * waiting for its answer (its keys live until it is answered or closed), or the answer we gave
     * (its key is the one the relay's session holds). An offer's repeat lasts until it is answered,
     * an answer's until the next offer: after that the keys it showed may be destroyed.
     */
    private record Repeat(byte[] digest, SdpMessage keyless, int keyedMedia, Pending offer, SdesOffer offerKeys,
            SdesAnswer answerKeys) {
        boolean stillValid(Pending current) {
            return offer != null ? current == offer : current == null;
        }

        byte[] render() {
            if (keyedMedia < 0) {
                return keyless.toBytes();
            }
            SdpMessage copy = keyless.copy();
            List<String> lines = copy.media.get(keyedMedia).lines;
            if (offerKeys != null) {
                lines.addAll(offerKeys.sdpLines());
            }
            if (answerKeys != null) {
                lines.add(answerKeys.answerLine().orElseThrow());
            }
            return copy.toBytes();
        }
    }

    /** Remembers the keyless form of what we send now, then adds the keys to it. */
    private byte[] remember(Call.Side side, byte[] digest, SdpMessage ours, SdpMedia keyed, Pending offer,
            SdesOffer offerKeys, SdesAnswer answerKeys) {
        boolean keys = keyed != null && (offerKeys != null || answerKeys != null);
        Repeat repeat = new Repeat(digest, ours.copy(), keys ? ours.media.indexOf(keyed) : -1, offer,
                keys ? offerKeys : null, keys ? answerKeys : null);
        repeats.put(side, repeat);
        return repeat.render();
    }

    private static byte[] sha256(byte[] body) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(body);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private byte[] offer(Call.Side from, SdpMessage sdp, byte[] digest) {
        if (pending != null) {
            pending.discard(); // a new offer from the same side replaces one never answered
        }
        Pending p = new Pending();
        p.offerer = from;
        Optional<SdpMedia> audio = sdp.firstActiveAudio();
        if (audio.isEmpty()) {
            pending = p;
            sdp.removeKeyingMaterial();
            return remember(from, digest, sdp, null, p, null, null);
        }
        SdpMedia offered = audio.get();
        LegMediaSecurity offererSecurity = owner.security(call, from);
        List<String> crypto = offered.attributes("crypto");
        SdesNegotiator negotiator = owner.negotiator();
        if (!crypto.isEmpty() && offererSecurity.offersSrtp()) {
            SdesAnswer answer = negotiator.answer(crypto);
            if (answer.isSecured()) {
                p.answerToOfferer = answer;
            } else {
                LOG.info("{}: leg {} offered no acceptable crypto suite under SRTP Ciphers {}: {}", call, from,
                        negotiator.policy().name(), answer.declined());
            }
        }
        if (p.answerToOfferer == null && (offererSecurity == LegMediaSecurity.SRTP_REQUIRED || offered.isSecureProfile())) {
            String why = offererSecurity == LegMediaSecurity.SRTP_REQUIRED
                    ? "leg " + from + "'s profile requires SRTP and its offer has no acceptable crypto suite"
                    : "leg " + from + " offers SRTP only (" + offered.proto + ") and no SRTP is possible on it";
            throw new SdpRejectedException(488, why);
        }
        p.offeredProto = offered.proto;
        p.mux = offered.has("rtcp-mux");
        p.holds = holds(sdp, offered);
        p.rtp = address(sdp, offered, offered.port);
        p.rtcp = address(sdp, offered, offered.rtcpPort());
        Call.Side to = from.other();
        LegMediaSecurity answererSecurity = owner.security(call, to);
        if (answererSecurity.offersSrtp()) {
            p.offerToAnswerer = negotiator.createOffer();
        }
        boolean savp = answererSecurity == LegMediaSecurity.SRTP_REQUIRED
                || (p.offerToAnswerer != null && offered.isSecureProfile());
        RelaySession relay = session();
        SdpMedia ours = anchor(sdp, relay.leg(side(to)).localRtpPort());
        ours.proto = profile(offered.proto, savp);
        ours.lines.add("a=rtcp:" + relay.leg(side(to)).localRtcpPort());
        ours.lines.add("a=rtcp-mux");
        pending = p;
        return remember(from, digest, sdp, ours, p, p.offerToAnswerer, null);
    }

    private byte[] answer(Call.Side from, SdpMessage sdp, byte[] digest) {
        Pending p = pending;
        pending = null;
        if (p.offeredProto == null) {
            sdp.removeKeyingMaterial();
            return remember(from, digest, sdp, null, null, null, null);
        }
        Call.Side offerer = p.offerer;
        Optional<SdpMedia> audio = sdp.firstActiveAudio();
        if (audio.isEmpty()) {
            p.discard();
            SdpMedia rejected = anchor(sdp, 0);
            if (rejected != null) {
                rejected.port = 0;
            }
            return remember(from, digest, sdp, null, null, null, null);
        }
        SdpMedia answered = audio.get();
        SdesSelection answererKeys = null;
        if (p.offerToAnswerer != null) {
            List<String> crypto = answered.attributes("crypto");
            if (!crypto.isEmpty()) {
                SdesOffer.Result result = p.offerToAnswerer.accept(crypto.get(0));
                answererKeys = result.selection().orElse(null);
                result.refusal().ifPresent(r -> LOG.info("{}: leg {} answered an unusable a=crypto: {}", call, from, r));
            }
            if (answererKeys == null) {
                p.offerToAnswerer.close();
            }
        }
        if (answererKeys == null && (owner.security(call, from) == LegMediaSecurity.SRTP_REQUIRED || answered.isSecureProfile())) {
            p.discard();
            throw new SdpRejectedException(488, "leg " + from + " answered without SRTP and its profile requires it");
        }
        InetSocketAddress rtp = address(sdp, answered, answered.port);
        InetSocketAddress rtcp = address(sdp, answered, answered.rtcpPort());
        boolean mux = answered.has("rtcp-mux");
        RelaySession relay = session();
        relay.configure(side(from), answererKeys != null ? LegMedia.srtp(rtp, rtcp, mux, answererKeys)
                : LegMedia.plainRtp(rtp, rtcp, mux));
        SdesSelection offererKeys = p.answerToOfferer == null ? null : p.answerToOfferer.selection().orElseThrow();
        relay.configure(side(offerer), offererKeys != null ? LegMedia.srtp(p.rtp, p.rtcp, p.mux, offererKeys)
                : LegMedia.plainRtp(p.rtp, p.rtcp, p.mux));
        boolean onHold = p.holds || holds(sdp, answered);
        relay.hold(onHold);
        suites.put(offerer, offererKeys == null ? "RTP" : offererKeys.suite().sdesName());
        suites.put(from, answererKeys == null ? "RTP" : answererKeys.suite().sdesName());
        CALLS.info("{}: media anchored{}; leg {} {} on :{}, leg {} {} on :{}", call, onHold ? " (on hold)" : "", offerer,
                offererKeys == null ? "RTP" : offererKeys.suite(), relay.leg(side(offerer)).localRtpPort(), from,
                answererKeys == null ? "RTP" : answererKeys.suite(), relay.leg(side(from)).localRtpPort());

        SdpMedia ours = anchor(sdp, relay.leg(side(offerer)).localRtpPort());
        ours.proto = p.offeredProto;
        ours.lines.add("a=rtcp:" + relay.leg(side(offerer)).localRtcpPort());
        if (p.mux) {
            ours.lines.add("a=rtcp-mux");
        }
        return remember(from, digest, sdp, ours, null, null, offererKeys != null ? p.answerToOfferer : null);
    }

    /**
     * Points the SDP at the relay: origin and connection addresses, the first active audio stream on
     * {@code port}; leg-local attributes removed; any other stream disabled (the relay anchors one
     * audio stream per call). Returns the anchored audio stream.
     */
    private SdpMedia anchor(SdpMessage sdp, int port) {
        String address = owner.advertisedAddress();
        String family = address.contains(":") ? "IP6" : "IP4";
        SdpMedia audio = sdp.firstActiveAudio().orElse(null);
        sdp.removeKeyingMaterial();
        for (int i = 0; i < sdp.session.size(); i++) {
            String l = sdp.session.get(i);
            if (l.startsWith("c=")) {
                sdp.session.set(i, "c=IN " + family + " " + address);
            } else if (l.startsWith("o=")) {
                String[] f = l.substring(2).split("\\s+");
                if (f.length == 6) {
                    sdp.session.set(i, "o=" + f[0] + " " + f[1] + " " + f[2] + " IN " + family + " " + address);
                }
            }
        }
        for (SdpMedia m : sdp.media) {
            m.removeAttributes(LEG_LOCAL);
            m.lines.replaceAll(l -> l.startsWith("c=") ? "c=IN " + family + " " + address : l);
            if (m == audio) {
                m.port = port;
            } else {
                m.port = 0;
            }
        }
        if (sdp.sessionConnection().isEmpty() && audio != null && SdpMessage.connection(audio.lines).isEmpty()) {
            audio.lines.add(0, "c=IN " + family + " " + address);
        }
        return audio;
    }

    /**
     * Hold (RFC 3264 section 8.4): the stream is sendonly, recvonly or inactive (media level, else
     * session level), or its address is 0.0.0.0 (RFC 2543 hold). Silence is then agreed, not lost media.
     */
    private static boolean holds(SdpMessage sdp, SdpMedia media) {
        String direction = direction(media.lines);
        if (direction == null) {
            direction = direction(sdp.session);
        }
        String host = SdpMessage.connection(media.lines).or(sdp::sessionConnection).orElse("");
        return (direction != null && !direction.equals("sendrecv")) || host.equals("0.0.0.0");
    }

    private static String direction(List<String> lines) {
        for (String l : lines) {
            if (l.equals("a=sendonly") || l.equals("a=recvonly") || l.equals("a=inactive") || l.equals("a=sendrecv")) {
                return l.substring(2);
            }
        }
        return null;
    }

    /** The call's relay session, once an offer opened it (tests). */
    synchronized RelaySession relaySession() {
        return session;
    }

    private static String profile(String offered, boolean savp) {
        boolean feedback = offered.toUpperCase(Locale.ROOT).endsWith("F");
        return (savp ? "RTP/SAVP" : "RTP/AVP") + (feedback ? "F" : "");
    }

    /** The peer's media address from c= (media level first) and a port; null for hold (0.0.0.0) or a non-literal. */
    private static InetSocketAddress address(SdpMessage sdp, SdpMedia media, int port) {
        String host = SdpMessage.connection(media.lines).or(sdp::sessionConnection).orElse(null);
        if (host == null || port <= 0 || port > 65535 || host.equals("0.0.0.0") || host.equals("::")
                || !host.matches("[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45}")) {
            return null; // never a DNS look-up on the signalling path
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The relay's counters of one leg (a snapshot taken on the relay's event loop), null before any offer opened it. */
    CallView.Media counters(Call.Side side) {
        RelaySession relay = relaySession();
        if (relay == null) {
            return null;
        }
        LegCounters c;
        try {
            c = relay.counters(side(side));
        } catch (RuntimeException e) { // the relay is stopping: the record goes without counters, the call still ends
            return null;
        }
        return new CallView.Media(c.packetsIn(), c.bytesIn(), c.packetsOut(), c.bytesOut(), c.authFailures(), c.replays());
    }

    String srtpSuite(Call.Side side) {
        return suites.get(side);
    }

    private RelaySession session() {
        if (session == null) {
            session = owner.openRelaySession(call);
        }
        return session;
    }

    private static RelaySide side(Call.Side side) {
        return side == Call.Side.A ? RelaySide.A : RelaySide.B;
    }

    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        repeats.clear();
        if (pending != null) {
            pending.discard();
            pending = null;
        }
        if (session != null) {
            session.close();
        }
    }
}
