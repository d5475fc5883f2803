package org.sipshield.media;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.Future;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media of one call anchored on the relay: two legs, each with its own ports, peer and keys.
 * Everything that moves packets runs on one event loop, so the two legs share no lock with any
 * other call; signalling changes a leg with {@link #configure}, which hands the change to that loop.
 */
public final class RelaySession implements AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(RelaySession.class);

    private final MediaRelay relay;
    private final String label;
    private final IoEventLoop loop;
    private final PacketBurst burst;
    private final RelayLeg a;
    private final RelayLeg b;
    private final MediaTimeoutListener timeoutListener;
    /** False for a session whose silence is no sign of a dead call (never in the loop's sweep). */
    private final boolean endsOnSilence;
    /** The relay's own warm-up session ({@link RelayWarmUp}): no log line, no {@link SessionReport}. */
    private final boolean quiet;
    private final long timeoutNanos;
    /** The relay's options when this session opened: a reload changes the next sessions, not this one. */
    private final MediaRelayOptions options;
    private final MediaTimeoutSweep sweep;
    /** Where this session sits in its loop's {@link MediaTimeoutSweep}; -1 while not watched. Event loop only. */
    int sweepIndex = -1;
    private long lastMediaNanos;
    private boolean closed; // event loop only
    private boolean onHold; // event loop only
    private boolean holdSilenceLogged; // event loop only
    private volatile boolean closing;

    RelaySession(MediaRelay relay, String label, IoEventLoop loop, PacketBurst burst, MediaTimeoutSweep sweep,
            MediaTimeoutListener listener, boolean endsOnSilence, boolean quiet) {
        this.relay = relay;
        this.label = label;
        this.loop = loop;
        this.burst = burst;
        this.sweep = sweep;
        this.a = new RelayLeg(this, RelaySide.A);
        this.b = new RelayLeg(this, RelaySide.B);
        this.timeoutListener = listener;
        this.endsOnSilence = endsOnSilence;
        this.quiet = quiet;
        this.options = relay.options();
        this.timeoutNanos = options.mediaTimeout().toNanos();
        this.lastMediaNanos = relay.nanoTime();
    }

    public String label() {
        return label;
    }

    public RelayLeg leg(RelaySide side) {
        return side == RelaySide.A ? a : b;
    }

    IoEventLoop loop() {
        return loop;
    }

    /** The packets its loop read and has not forwarded yet (shared with the loop's other sessions). */
    PacketBurst burst() {
        return burst;
    }

    LatchingPolicy latching() {
        return options.latching();
    }

    /**
     * Sets (or, on a re-INVITE, replaces) what signalling agreed for one leg. The SRTP sessions of
     * the selection are opened now and the previous ones closed; the latch is reset when the keys
     * or the signalled address change. Waits until the media path has taken the change.
     */
    public void configure(RelaySide side, LegMedia media) {
        Objects.requireNonNull(media, "media");
        onLoop(() -> {
            if (closed) {
                if (media.isSecure()) {
                    media.selection().discard();
                }
                return null;
            }
            leg(side).apply(media, options.engine());
            if (endsOnSilence && sweepIndex < 0) {
                // silence counts from the first leg configured
                lastMediaNanos = relay.nanoTime();
                sweep.watch(this);
            }
            return null;
        });
    }

    /**
     * Whether the call is on hold (signalling saw a=sendonly, a=recvonly, a=inactive or a 0.0.0.0
     * address in the last offer/answer): silence is then what the parties agreed, and the media
     * timeout does not end the session. Taken off hold, silence counts again from that moment.
     */
    public void hold(boolean held) {
        onLoop(() -> {
            if (onHold && !held) {
                lastMediaNanos = relay.nanoTime();
            }
            if (onHold != held) {
                log(label + ": " + (held ? "on hold: silence does not end the call" : "off hold"));
            }
            onHold = held;
            holdSilenceLogged = false;
            return null;
        });
    }

    public boolean isOnHold() {
        return onLoop(() -> onHold);
    }

    /** A snapshot of one leg's counters. */
    public LegCounters counters(RelaySide side) {
        return onLoop(() -> leg(side).snapshot());
    }

    /** Whether the leg has learnt its peer's address from a packet (for SRTP: one that authenticated). */
    public boolean isLatched(RelaySide side) {
        return onLoop(() -> leg(side).isLatched());
    }

    void mediaSeen() {
        lastMediaNanos = relay.nanoTime();
    }

    void latched(RelayLeg leg, PeerAddress source, boolean rtcp) {
        if (!quiet && relay.log().enabled()) {
            log(label + ": " + leg + " latched " + (rtcp ? "RTCP" : "RTP") + " on " + source);
        }
    }

    /** An info line of this session, written off the event loop ({@link OffLoopLog}). */
    private void log(String line) {
        relay.log().info(line);
    }

    /** By the loop's {@link MediaTimeoutSweep}, after it forwarded the packets already read. */
    void checkTimeout(long now) {
        if (closed || now - lastMediaNanos < timeoutNanos) {
            return;
        }
        if (onHold) {
            if (!holdSilenceLogged) {
                holdSilenceLogged = true;
                relay.silenceToleratedOnHold();
                log(label + ": no media for " + options.mediaTimeout().toSeconds() + " s while on hold: the call goes on");
            }
            return;
        }
        String reason = "no media for " + options.mediaTimeout().toSeconds() + " s";
        log(label + ": media timeout (" + reason + ")");
        closeOnLoop();
        if (timeoutListener != null) {
            // the listener ends the call through signalling: never on the media thread
            relay.signallingExecutor().execute(() -> timeoutListener.mediaTimedOut(this, reason));
        }
    }

    /** Closes both legs' sockets, destroys their keys, logs their counters and returns the ports. Idempotent. */
    @Override
    public void close() {
        closing = true;
        if (loop.isShuttingDown()) {
            return;
        }
        onLoop(() -> {
            closeOnLoop();
            return null;
        });
    }

    public boolean isClosed() {
        return closing;
    }

    private void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        sweep.forget(this);
        for (RelayLeg leg : new RelayLeg[] {a, b}) {
            leg.shutdown();
            leg.rtpSocket.close();
            leg.rtcpSocket.close();
        }
        relay.released(this);
        if (quiet) {
            return;
        }
        SessionReport report = new SessionReport(label, a.snapshot(), b.snapshot());
        if (relay.log().enabled()) {
            log(label + ": media ended; leg A " + report.legA() + "; leg B " + report.legB());
        }
        relay.ended(report);
    }

    /**
     * Runs a signalling task on the loop, after the packets it has read so far are forwarded: they
     * were read under the configuration in force, so they are handled under it.
     */
    <T> T onLoop(java.util.concurrent.Callable<T> task) {
        if (loop.inEventLoop()) {
            try {
                burst.process();
                return task.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return await(loop.submit(() -> {
            burst.process();
            return task.call();
        }), "the media path");
    }

    /** Waits up to 10 s for what an event loop does ({@code what}, for the exception's message). */
    static <T> T await(Future<T> f, String what) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not answer in 10 s", e);
        }
    }

    @Override
    public String toString() {
        return "RelaySession[" + label + ", A :" + a.localRtpPort() + ", B :" + b.localRtpPort() + "]";
    }
}
