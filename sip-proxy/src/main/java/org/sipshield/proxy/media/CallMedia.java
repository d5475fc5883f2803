package org.sipshield.proxy.media;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.sipshield.media.LegCounters;
import org.sipshield.media.LegMedia;
import org.sipshield.media.MediaPortsExhaustedException;
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
 * The media half of one call: a relay session per anchored m= line, and the SDP offer/answer in
 * progress. An offer from one leg is answered for that leg by us (SDES with a fresh key of ours,
 * per stream) and re-offered on the other leg with other fresh keys and the relay's address; the
 * far answer completes both legs of each stream and configures the relay. A stream keeps its
 * session, so its relay ports, from the offer that opened it until an offer or answer disables it
 * (port 0) or the call ends. Signalling threads only; guarded by its own monitor (one per call).
 * Longer than our usual file: it is one state machine (offer, answer, repeats) over the call's
 * streams, and its parts share that state; what needs none of it lives in {@link AnchoredSdp},
 * {@link StreamOffer} and {@link MediaStream}.
 */
final class CallMedia {
    private static final Logger LOG = LoggerFactory.getLogger(CallMedia.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");
    /**
     * Streams anchored per call at most: audio, video, a second video (content), BFCP, iX and one
     * more. Each costs two port pairs, so an offer with fifty m= lines cannot take the relay's ports;
     * the streams beyond are declined with port 0.
     */
    static final int MAX_STREAMS = 6;

    private final Call call;
    private final MediaSdpRewriter owner;
    /**
     * How to answer each leg's last SDP again if it repeats: its SHA-256, and our answer without
     * its keys. The key lines are rendered from the negotiation state when the repeat comes, so no
     * SDP text with a key outlives the message it went out in.
     */
    private final Map<Call.Side, Repeat> repeats = new EnumMap<>(Call.Side.class);
    /** The call's streams by m= line position; null where a line has no session. */
    private final List<AnchoredStream> streams = new ArrayList<>();
    private Pending pending;
    private boolean closed;

    /** One anchored m= line: its relay session and each leg's media as last anchored ("RTP" or an SRTP suite). */
    private static final class AnchoredStream {
        final RelaySession session;
        final String type;
        final boolean endsCallOnSilence;
        final Map<Call.Side, String> suites = new EnumMap<>(Call.Side.class);

        AnchoredStream(RelaySession session, String type, boolean endsCallOnSilence) {
            this.session = session;
            this.type = type;
            this.endsCallOnSilence = endsCallOnSilence;
        }
    }

    /** An offer from one leg waiting for the other leg's answer: a StreamOffer per m= line, null where declined. */
    private static final class Pending {
        final Call.Side offerer;
        final List<StreamOffer> streams = new ArrayList<>();

        Pending(Call.Side offerer) {
            this.offerer = offerer;
        }

        StreamOffer stream(int index) {
            return index < streams.size() ? streams.get(index) : null;
        }

        void discard() {
            streams.forEach(s -> {
                if (s != null) {
                    s.discard();
                }
            });
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

    /** The keys one stream of our SDP carries: those of our offer, or of our answer. */
    private record StreamKeys(int media, SdesOffer offer, SdesAnswer answer) {}

    /**
     * Our SDP for one leg's SDP, without its key lines, and what renders them again: the offer still
     * waiting for its answer (its keys live until it is answered or closed), or the answer we gave
     * (its key is the one the relay's session holds). An offer's repeat lasts until it is answered,
     * an answer's until the next offer: after that the keys it showed may be destroyed.
     */
    private record Repeat(byte[] digest, SdpMessage keyless, List<StreamKeys> keys, Pending offer) {
        boolean stillValid(Pending current) {
            return offer != null ? current == offer : current == null;
        }

        byte[] render() {
            if (keys.isEmpty()) {
                return keyless.toBytes();
            }
            SdpMessage copy = keyless.copy();
            for (StreamKeys k : keys) {
                List<String> lines = copy.media.get(k.media).lines;
                if (k.offer != null) {
                    lines.addAll(k.offer.sdpLines());
                }
                if (k.answer != null) {
                    lines.add(k.answer.answerLine().orElseThrow());
                }
            }
            return copy.toBytes();
        }
    }

    /** Remembers the keyless form of what we send now, then adds the keys to it. */
    private byte[] remember(Call.Side side, byte[] digest, SdpMessage ours, List<StreamKeys> keys, Pending offer) {
        Repeat repeat = new Repeat(digest, ours.copy(), List.copyOf(keys), offer);
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
            pending = null;
        }
        Pending p = new Pending(from);
        Call.Side to = from.other();
        SdpMedia audio = sdp.firstActiveAudio().orElse(null);
        SdesNegotiator negotiator = owner.negotiator();
        List<StreamKeys> keys = new ArrayList<>();
        try {
            int anchored = 0;
            for (SdpMedia m : sdp.media) {
                StreamOffer o = null;
                if (m.port != 0 && anchored >= MAX_STREAMS) {
                    LOG.info("{}: leg {} offered more than {} streams: its {} stream is declined", call, from,
                            MAX_STREAMS, m.type);
                } else if (m.port != 0) {
                    o = offerStream(from, sdp, m, m == audio, negotiator);
                }
                p.streams.add(o);
                anchored += o == null ? 0 : 1;
            }
            AnchoredSdp.pointAtRelay(sdp, owner.advertisedAddress());
            for (int i = 0; i < sdp.media.size(); i++) {
                SdpMedia m = sdp.media.get(i);
                StreamOffer o = p.streams.get(i);
                AnchoredStream stream = o == null ? null : stream(i, m, o, audio == null);
                if (stream == null) {
                    if (o != null) {
                        o.discard();
                        p.streams.set(i, null);
                    }
                    AnchoredSdp.decline(m);
                    continue;
                }
                int port = stream.session.leg(side(to)).localRtpPort();
                if (o.kind == MediaStream.RTP) {
                    boolean savp = owner.security(call, to) == LegMediaSecurity.SRTP_REQUIRED
                            || (o.offerToAnswerer != null && m.isSecureProfile());
                    m.proto = AnchoredSdp.profile(o.offeredProto, savp);
                    AnchoredSdp.relayPorts(m, port, stream.session.leg(side(to)).localRtcpPort(), true);
                    if (o.offerToAnswerer != null) {
                        keys.add(new StreamKeys(i, o.offerToAnswerer, null));
                    }
                } else {
                    m.port = port;
                }
            }
        } catch (RuntimeException e) {
            p.discard();
            throw e;
        }
        pending = p;
        return remember(from, digest, sdp, keys, p);
    }

    /**
     * One stream of an offer: what the offerer gets (our SDES answer under the SRTP Ciphers policy)
     * and what the answerer is offered. Null declines the stream (port 0); a refusal of the call's
     * audio refuses the call with 488, of another stream declines that stream only.
     */
    private StreamOffer offerStream(Call.Side from, SdpMessage sdp, SdpMedia offered, boolean audio,
            SdesNegotiator negotiator) {
        MediaStream kind = MediaStream.of(offered).orElse(null);
        if (kind == null) {
            LOG.info("{}: leg {}'s {} stream over {} cannot cross the relay: declined", call, from, offered.type, offered.proto);
            return null;
        }
        StreamOffer o = new StreamOffer(kind, audio);
        o.offeredProto = offered.proto;
        o.holds = AnchoredSdp.holds(sdp, offered);
        o.rtp = AnchoredSdp.address(sdp, offered, offered.port);
        if (kind == MediaStream.DATAGRAMS) {
            return o; // nothing in it the relay could encrypt: it crosses as it is, and counts as the policy says
        }
        LegMediaSecurity offererSecurity = owner.security(call, from);
        List<String> crypto = offered.attributes("crypto");
        if (!crypto.isEmpty() && offererSecurity.offersSrtp()) {
            SdesAnswer answer = negotiator.answer(crypto);
            if (answer.isSecured()) {
                o.answerToOfferer = answer;
            } else {
                LOG.info("{}: leg {} offered no acceptable crypto suite for {} under SRTP Ciphers {}: {}", call, from,
                        offered.type, negotiator.policy().name(), answer.declined());
            }
        }
        if (o.answerToOfferer == null && (offererSecurity == LegMediaSecurity.SRTP_REQUIRED || offered.isSecureProfile())) {
            String why = offererSecurity == LegMediaSecurity.SRTP_REQUIRED
                    ? "leg " + from + "'s profile requires SRTP and its offer has no acceptable crypto suite"
                    : "leg " + from + " offers SRTP only (" + offered.proto + ") and no SRTP is possible on it";
            if (audio) {
                throw new SdpRejectedException(488, why);
            }
            LOG.info("{}: {} stream declined: {}", call, offered.type, why);
            return null;
        }
        o.mux = offered.has("rtcp-mux");
        o.rtcp = AnchoredSdp.address(sdp, offered, offered.rtcpPort());
        if (owner.security(call, from.other()).offersSrtp()) {
            o.offerToAnswerer = negotiator.createOffer();
        }
        return o;
    }

    /**
     * The stream at an m= line, its session opened if it has none: the call's audio (or, in a call
     * without audio, its first stream) ends the call when silent. Null when no ports are left for a
     * stream other than the audio (declined); the audio's call gets 503.
     */
    private AnchoredStream stream(int index, SdpMedia m, StreamOffer o, boolean noAudio) {
        while (streams.size() <= index) {
            streams.add(null);
        }
        AnchoredStream stream = streams.get(index);
        if (stream != null) {
            return stream;
        }
        if (streams.stream().filter(java.util.Objects::nonNull).count() >= MAX_STREAMS) {
            // the cap holds over the whole call too: re-offers the far end refuses must not pile sessions up
            LOG.info("{}: already {} streams anchored: its {} stream is declined", call, MAX_STREAMS, m.type);
            return null;
        }
        boolean watched = streams.stream().noneMatch(s -> s != null && s.endsCallOnSilence) && (o.audio || noAudio);
        try {
            stream = new AnchoredStream(owner.openRelaySession(call, m.type, watched), m.type, watched);
        } catch (MediaPortsExhaustedException e) {
            if (o.audio) {
                throw new SdpRejectedException(503, "no media ports left");
            }
            LOG.info("{}: no media ports left for its {} stream: declined", call, m.type);
            return null;
        }
        streams.set(index, stream);
        return stream;
    }

    private byte[] answer(Call.Side from, SdpMessage sdp, byte[] digest) {
        Pending p = pending;
        pending = null;
        Call.Side offerer = p.offerer;
        // every stream's answer is read before any is applied: a refused audio leaves the relay as it was
        List<SdesSelection> answererKeys = new ArrayList<>();
        List<Answered> answers = new ArrayList<>();
        for (int i = 0; i < sdp.media.size(); i++) {
            SdpMedia m = sdp.media.get(i);
            answererKeys.add(answeredKeys(from, p.stream(i), m, answererKeys, p));
            answers.add(new Answered(AnchoredSdp.address(sdp, m, m.port), AnchoredSdp.address(sdp, m, m.rtcpPort()),
                    m.has("rtcp-mux"), AnchoredSdp.holds(sdp, m)));
        }
        // what the answerer said of its own transport is read above: from here on the SDP is ours
        AnchoredSdp.pointAtRelay(sdp, owner.advertisedAddress());
        List<StreamKeys> keys = new ArrayList<>();
        int count = Math.max(sdp.media.size(), p.streams.size());
        for (int i = 0; i < count; i++) {
            StreamOffer o = p.stream(i);
            SdpMedia answered = i < sdp.media.size() ? sdp.media.get(i) : null;
            SdesSelection theirs = i < answererKeys.size() ? answererKeys.get(i) : null;
            AnchoredStream stream = i < streams.size() ? streams.get(i) : null;
            boolean declined = answered == null || answered.port == 0 || o == null || stream == null
                    || (o.kind == MediaStream.RTP && theirs == null && requiresSrtp(from, answered));
            if (declined) {
                if (o != null) {
                    o.discard();
                }
                release(i);
                if (answered != null) {
                    AnchoredSdp.decline(answered);
                }
                continue;
            }
            SdesSelection offererKeys = o.answerToOfferer == null ? null : o.answerToOfferer.selection().orElseThrow();
            Answered their = answers.get(i);
            configure(stream, from, o.kind, their.rtp, their.rtcp, their.mux, theirs);
            configure(stream, offerer, o.kind, o.rtp, o.rtcp, o.mux, offererKeys);
            boolean onHold = o.holds || their.holds;
            stream.session.hold(onHold);
            CALLS.info("{}: {} media anchored{}; leg {} {} on :{}, leg {} {} on :{}", call, stream.type,
                    onHold ? " (on hold)" : "", offerer, stream.suites.get(offerer),
                    stream.session.leg(side(offerer)).localRtpPort(), from, stream.suites.get(from),
                    stream.session.leg(side(from)).localRtpPort());
            int port = stream.session.leg(side(offerer)).localRtpPort();
            answered.proto = o.offeredProto;
            if (o.kind == MediaStream.RTP) {
                AnchoredSdp.relayPorts(answered, port, stream.session.leg(side(offerer)).localRtcpPort(), o.mux);
            } else {
                answered.port = port;
            }
            if (offererKeys != null) {
                keys.add(new StreamKeys(i, null, o.answerToOfferer));
            }
        }
        return remember(from, digest, sdp, keys, null);
    }

    /** One stream of an answer as the answerer described its own end of it. */
    private record Answered(InetSocketAddress rtp, InetSocketAddress rtcp, boolean mux, boolean holds) {}

    /**
     * The answerer's keys for one stream (null: plain RTP, or not RTP at all). Refuses the call with
     * 488, releasing every key read so far, when the audio stream goes without SRTP where it must have it.
     */
    private SdesSelection answeredKeys(Call.Side from, StreamOffer o, SdpMedia answered, List<SdesSelection> readSoFar,
            Pending p) {
        if (o == null || o.kind != MediaStream.RTP || answered.port == 0) {
            if (o != null && o.offerToAnswerer != null) {
                o.offerToAnswerer.close();
            }
            return null;
        }
        SdesSelection keys = null;
        if (o.offerToAnswerer != null) {
            List<String> crypto = answered.attributes("crypto");
            if (!crypto.isEmpty()) {
                SdesOffer.Result result = o.offerToAnswerer.accept(crypto.get(0));
                keys = result.selection().orElse(null);
                result.refusal().ifPresent(r -> LOG.info("{}: leg {} answered an unusable a=crypto for {}: {}", call, from,
                        answered.type, r));
            }
            o.offerToAnswerer.close();
        }
        if (keys == null && o.audio && requiresSrtp(from, answered)) {
            readSoFar.forEach(k -> {
                if (k != null) {
                    k.discard();
                }
            });
            p.discard();
            throw new SdpRejectedException(488, "leg " + from + " answered without SRTP and its profile requires it");
        }
        return keys;
    }

    private boolean requiresSrtp(Call.Side side, SdpMedia media) {
        return owner.security(call, side) == LegMediaSecurity.SRTP_REQUIRED || media.isSecureProfile();
    }

    /** Hands one leg of a stream to the relay (which then owns its keys) and notes its suite. */
    private static void configure(AnchoredStream stream, Call.Side side, MediaStream kind, InetSocketAddress rtp,
            InetSocketAddress rtcp, boolean mux, SdesSelection keys) {
        LegMedia media = kind == MediaStream.DATAGRAMS ? LegMedia.datagrams(rtp)
                : keys != null ? LegMedia.srtp(rtp, rtcp, mux, keys) : LegMedia.plainRtp(rtp, rtcp, mux);
        stream.session.configure(side(side), media);
        stream.suites.put(side, keys == null ? "RTP" : keys.suite().sdesName());
    }

    /** A stream disabled by an offer or an answer (port 0): its session ends and its ports go back. */
    private void release(int index) {
        if (index < streams.size() && streams.get(index) != null) {
            AnchoredStream gone = streams.set(index, null);
            gone.session.close();
            CALLS.info("{}: {} stream released", call, gone.type);
        }
    }

    /** The call's relay sessions, by m= line, null where none (tests). */
    synchronized List<RelaySession> relaySessions() {
        return streams.stream().map(s -> s == null ? null : s.session).toList();
    }

    /** The relay's counters of one leg over all its streams (snapshots taken on the relay's event loops), null before any offer. */
    CallView.Media counters(Call.Side side) {
        List<RelaySession> sessions = relaySessions().stream().filter(java.util.Objects::nonNull).toList();
        if (sessions.isEmpty()) {
            return null;
        }
        long packetsIn = 0, bytesIn = 0, packetsOut = 0, bytesOut = 0, authFailures = 0, replays = 0;
        for (RelaySession relay : sessions) {
            LegCounters c;
            try {
                c = relay.counters(side(side));
            } catch (RuntimeException e) { // the relay is stopping: the record goes without counters, the call still ends
                return null;
            }
            packetsIn += c.packetsIn();
            bytesIn += c.bytesIn();
            packetsOut += c.packetsOut();
            bytesOut += c.bytesOut();
            authFailures += c.authFailures();
            replays += c.replays();
        }
        return new CallView.Media(packetsIn, bytesIn, packetsOut, bytesOut, authFailures, replays);
    }

    /** A leg's suite on the call's audio stream (the one whose silence ends the call), else on its first stream. */
    synchronized String srtpSuite(Call.Side side) {
        AnchoredStream first = null;
        for (AnchoredStream s : streams) {
            if (s != null && s.endsCallOnSilence) {
                return s.suites.get(side);
            }
            first = first == null ? s : first;
        }
        return first == null ? null : first.suites.get(side);
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
        for (AnchoredStream s : streams) {
            if (s != null) {
                s.session.close();
            }
        }
    }
}
