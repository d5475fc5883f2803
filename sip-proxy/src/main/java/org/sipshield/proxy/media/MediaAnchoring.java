package org.sipshield.proxy.media;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.sipshield.config.MediaLatching;
import org.sipshield.config.MediaSettings;
import org.sipshield.config.SrtpCiphers;
import org.sipshield.media.LatchingPolicy;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.media.PortRange;
import org.sipshield.media.WarmUpOutcome;
import org.sipshield.proxy.b2bua.Call;
import org.sipshield.proxy.b2bua.SdpRewriter;
import org.sipshield.srtp.SrtpCipherPolicy;
import org.sipshield.srtp.SrtpEngine;
import org.sipshield.srtp.SrtpKeyManager;

/**
 * The proxy's media: the relay started from the {@code media:} section and the SDP step on it.
 * The relay warms up at start, before the first call (media.warmUp, MediaRelay#warmUp), and its event
 * loops take their scheduling and batch window then (media.realtimePriority, media.batchWindowMicros).
 * The address and ports are bound at start (a change needs a restart); the SRTP Ciphers option is
 * read at every offer, and a reload retunes the media timeout and latching of the next calls.
 */
public final class MediaAnchoring implements AutoCloseable {
    private final MediaRelay relay;
    private final MediaSdpRewriter rewriter;
    private final Optional<WarmUpOutcome> warmUp;

    private MediaAnchoring(MediaRelay relay, MediaSdpRewriter rewriter, Optional<WarmUpOutcome> warmUp) {
        this.relay = relay;
        this.rewriter = rewriter;
        this.warmUp = warmUp;
    }

    /** @param current the media settings in force (after reloads) */
    public static MediaAnchoring start(MediaSettings settings, Supplier<MediaSettings> current) throws UnknownHostException {
        MediaRelayOptions options = new MediaRelayOptions(InetAddress.getByName(settings.address()),
                new PortRange(settings.portMin(), settings.portMax()), Duration.ofSeconds(settings.mediaTimeoutSeconds()),
                latching(settings.latching()),
                SrtpEngine.OPENSSL, Math.max(1, Runtime.getRuntime().availableProcessors()), settings.realtimePriority(),
                Duration.ofNanos(1000L * settings.batchWindowMicros()));
        MediaRelay relay = MediaRelay.start(options);
        Optional<WarmUpOutcome> warmUp = settings.warmUp() ? Optional.of(relay.warmUp()) : Optional.empty();
        return new MediaAnchoring(relay, new MediaSdpRewriter(relay,
                () -> policy(current.get()), new SrtpKeyManager()), warmUp);
    }

    /** The SRTP Ciphers option, with F8 last when enabled (the loader allows that beside ALL only). */
    static SrtpCipherPolicy policy(MediaSettings settings) {
        SrtpCipherPolicy named = policy(settings.srtpCiphers());
        return settings.enableF8Cipher() ? named.withF8Last() : named;
    }

    // The config's options map to the media modules' types by a switch, not by name: a value added
    // on either side is a compile error here instead of a failure at the first call.
    public static SrtpCipherPolicy policy(SrtpCiphers ciphers) {
        return switch (ciphers) {
            case STRONGEST -> SrtpCipherPolicy.STRONGEST;
            case MEDIUM -> SrtpCipherPolicy.MEDIUM;
            case ALL -> SrtpCipherPolicy.ALL;
        };
    }

    static LatchingPolicy latching(MediaLatching latching) {
        return switch (latching) {
            case SIGNALLED_ADDRESS -> LatchingPolicy.SIGNALLED_ADDRESS;
            case ANY_ADDRESS -> LatchingPolicy.ANY_ADDRESS;
        };
    }

    /** A reload's media timeout and latching, for the calls whose media starts from now on. */
    public void retune(MediaSettings settings) {
        MediaRelayOptions running = relay.options();
        Duration timeout = Duration.ofSeconds(settings.mediaTimeoutSeconds());
        LatchingPolicy latching = latching(settings.latching());
        if (!running.mediaTimeout().equals(timeout) || running.latching() != latching) {
            relay.retune(timeout, latching);
        }
    }

    public SdpRewriter sdpRewriter() {
        return rewriter;
    }

    /** Who ends a call whose media went silent. */
    public void onMediaTimeout(BiConsumer<Call, String> handler) {
        rewriter.onMediaTimeout(handler);
    }

    public MediaRelay relay() {
        return relay;
    }

    /** What the relay's warm-up carried at start; empty with media.warmUp false. */
    public Optional<WarmUpOutcome> warmUp() {
        return warmUp;
    }

    @Override
    public void close() {
        relay.close();
    }
}
