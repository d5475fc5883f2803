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
    public static final SrtpSessionOptions DEFAULTS = new SrtpSessionOptions(DEFAULT_REPLAY_WINDOW, Optional.empty());

    private final int replayWindow;
    private final Optional<Mki> mki;

    private SrtpSessionOptions(int replayWindow, Optional<Mki> mki) {
        if (replayWindow < MIN_REPLAY_WINDOW || replayWindow > MAX_REPLAY_WINDOW) {
            throw new IllegalArgumentException("replay window must be " + MIN_REPLAY_WINDOW + ".." + MAX_REPLAY_WINDOW
                    + " packets, got " + replayWindow);
        }
        this.replayWindow = replayWindow;
        this.mki = mki;
    }

    public SrtpSessionOptions withReplayWindow(int packets) {
        return new SrtpSessionOptions(packets, mki);
    }

    public SrtpSessionOptions withMki(Mki value) {
        return new SrtpSessionOptions(replayWindow, Optional.of(Objects.requireNonNull(value, "mki")));
    }

    public int replayWindow() {
        return replayWindow;
    }

    public Optional<Mki> mki() {
        return mki;
    }

    byte[] mkiBytes() {
        return mki.map(Mki::toBytes).orElse(new byte[0]);
    }

    @Override
    public String toString() {
        return "SrtpSessionOptions[replayWindow=" + replayWindow + ", mki=" + mki.map(Mki::toString).orElse("none") + "]";
    }
}
