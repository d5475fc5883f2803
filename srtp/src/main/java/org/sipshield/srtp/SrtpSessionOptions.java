package org.sipshield.srtp;

import java.util.Objects;
import java.util.Optional;
import org.sipshield.jni.SrtpNative;

/**
 * Per-session settings besides the key: the replay window size (RFC 3711 3.3.2, at least 64) and
 * the MKI carried in every packet, if negotiated.
 */
public final class SrtpSessionOptions {
    public static final int DEFAULT_REPLAY_WINDOW = 128;
    public static final int MIN_REPLAY_WINDOW = SrtpNative.MIN_REPLAY_WINDOW;
    public static final int MAX_REPLAY_WINDOW = SrtpNative.MAX_REPLAY_WINDOW;
    /** RFC 3711: an SRTP master key protects at most 2^48 packets. */
    public static final long MAX_KEY_LIFETIME = 1L << 48;
    public static final SrtpSessionOptions DEFAULTS = new SrtpSessionOptions(DEFAULT_REPLAY_WINDOW, Optional.empty(),
            MAX_KEY_LIFETIME);

    private final int replayWindow;
    private final Optional<Mki> mki;
    private final long keyLifetime;

    private SrtpSessionOptions(int replayWindow, Optional<Mki> mki, long keyLifetime) {
        if (replayWindow < MIN_REPLAY_WINDOW || replayWindow > MAX_REPLAY_WINDOW) {
            throw new IllegalArgumentException("replay window must be " + MIN_REPLAY_WINDOW + ".." + MAX_REPLAY_WINDOW
                    + " packets, got " + replayWindow);
        }
        if (keyLifetime < 1 || keyLifetime > MAX_KEY_LIFETIME) {
            throw new IllegalArgumentException("key lifetime must be 1..2^48 packets, got " + keyLifetime);
        }
        this.replayWindow = replayWindow;
        this.mki = mki;
        this.keyLifetime = keyLifetime;
    }

    public SrtpSessionOptions withReplayWindow(int packets) {
        return new SrtpSessionOptions(packets, mki, keyLifetime);
    }

    public SrtpSessionOptions withMki(Mki value) {
        return new SrtpSessionOptions(replayWindow, Optional.of(Objects.requireNonNull(value, "mki")), keyLifetime);
    }

    /**
     * The SDES key lifetime (RFC 4568 "|2^n"): after this many packets (SRTP and SRTCP together)
     * the session answers {@link SrtpStatus#INDEX_EXHAUSTED} and the key must be renegotiated.
     */
    public SrtpSessionOptions withKeyLifetime(long packets) {
        return new SrtpSessionOptions(replayWindow, mki, packets);
    }

    public int replayWindow() {
        return replayWindow;
    }

    public Optional<Mki> mki() {
        return mki;
    }

    public long keyLifetime() {
        return keyLifetime;
    }

    byte[] mkiBytes() {
        return mki.map(Mki::toBytes).orElse(new byte[0]);
    }

    @Override
    public String toString() {
        return "SrtpSessionOptions[replayWindow=" + replayWindow + ", mki=" + mki.map(Mki::toString).orElse("none")
                + ", keyLifetime=" + keyLifetime + "]";
    }
}
