package org.sipshield.srtp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * SRTP/SRTCP for one call leg in one direction: an {@link SrtpDirection#OUTBOUND} session
 * protects what we send, an {@link SrtpDirection#INBOUND} session unprotects what we receive
 * (the other operations answer {@link SrtpStatus#BAD_ARGUMENT}).
 *
 * <p><b>One thread at a time:</b> a session is not thread-safe; the media path owns it.
 *
 * <p>Packet methods work in place on {@code [position, limit)} of the buffer and never throw for a
 * bad packet: they return a status (and count it, see {@link #counters()}). On {@code OK} the limit
 * moves to the end of the result (protection grows the packet into the buffer's capacity, which
 * must have room for {@link #maxOverhead(SrtpOperation)} more octets); the position stays. On
 * failure position and limit stay and the packet's bytes are unspecified (a forged AEAD payload is
 * wiped rather than left decrypted). Direct buffers take the zero-copy path on the native engines.
 *
 * <p>The session owns its {@link SrtpMasterKey}: closing the session destroys the key.
 */
public abstract class SrtpSession implements AutoCloseable {
    private final SrtpEngine engine;
    private final SrtpDirection direction;
    private final CryptoSuite suite;
    private final SrtpSessionOptions options;
    private final SrtpMasterKey ownedKey;
    /** Read per packet by the media path: kept as an int, not looked up through the options' Optional (which allocates). */
    private final int mkiLength;
    private final long[] counts = new long[SrtpStatus.values().length];
    private boolean closed;
    private int reserved;  // packets of this session waiting in an SrtpPacketBatch

    SrtpSession(SrtpEngine engine, SrtpDirection direction, CryptoSuite suite, SrtpSessionOptions options,
            SrtpMasterKey ownedKey) {
        this.engine = engine;
        this.direction = direction;
        this.suite = suite;
        this.options = options;
        this.ownedKey = ownedKey;
        this.mkiLength = options.mki().map(Mki::length).orElse(0);
    }

    /**
     * Opens a session, which takes the key: a key opens one session only.
     *
     * @throws IllegalArgumentException if the engine does not implement the key's suite
     * @throws IllegalStateException if the key was destroyed or already opened a session
     */
    public static SrtpSession open(SrtpEngine engine, SrtpDirection direction, SrtpMasterKey key,
            SrtpSessionOptions options) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(options, "options");
        CryptoSuite suite = key.suite();
        if (!engine.supports(suite)) {
            throw new IllegalArgumentException(engine + " does not implement " + suite);
        }
        key.claimForSession();
        byte[] k = key.keyBytes();
        byte[] s = key.saltBytes();
        try {
            if (engine == SrtpEngine.JAVA) {
                return new JavaSrtpSession(direction, suite, options, key,
                        JavaSrtpCore.fromMasterKey(suite.params(), direction, k, s, options));
            }
            return NativeSrtpSession.fromMasterKey(engine, direction, suite, options, key, k, s);
        } finally {
            Arrays.fill(k, (byte) 0);
            Arrays.fill(s, (byte) 0);
        }
    }

    /** Opens a session with {@link SrtpSessionOptions#DEFAULTS}. */
    public static SrtpSession open(SrtpEngine engine, SrtpDirection direction, SrtpMasterKey key) {
        return open(engine, direction, key, SrtpSessionOptions.DEFAULTS);
    }

    public final SrtpStatus protectRtp(ByteBuffer packet) {
        return run(SrtpOperation.PROTECT_RTP, packet);
    }

    public final SrtpStatus unprotectRtp(ByteBuffer packet) {
        return run(SrtpOperation.UNPROTECT_RTP, packet);
    }

    public final SrtpStatus protectRtcp(ByteBuffer packet) {
        return run(SrtpOperation.PROTECT_RTCP, packet);
    }

    public final SrtpStatus unprotectRtcp(ByteBuffer packet) {
        return run(SrtpOperation.UNPROTECT_RTCP, packet);
    }

    /**
     * Processes every packet of the batch (one JNI crossing on native engines); each packet's
     * status and new length are then in the batch.
     *
     * @return how many packets succeeded
     */
    public final int process(SrtpOperation operation, SrtpBatch batch) {
        int n = batch.size();
        int[] lengths = batch.rawLengths();
        if (closed) {
            Arrays.fill(lengths, 0, n, -SrtpStatus.SESSION_CLOSED.code());
            counts[SrtpStatus.SESSION_CLOSED.ordinal()] += n;
            return 0;
        }
        long left = options.keyLifetime() - counts[SrtpStatus.OK.ordinal()];
        int allowed = (int) Math.min(n, Math.max(0, left));
        int ok = processBatch(operation.code(), batch.buffer(), batch.offsets(), lengths, allowed, batch.slotSize());
        if (ok < 0) {
            Arrays.fill(lengths, 0, n, ok);
            counts[SrtpStatus.ofCode(-ok).ordinal()] += n;
            return 0;
        }
        Arrays.fill(lengths, allowed, n, -SrtpStatus.INDEX_EXHAUSTED.code());
        counts[SrtpStatus.OK.ordinal()] += ok;
        if (ok < n) {
            for (int i = 0; i < n; i++) {
                if (lengths[i] < 0) {
                    counts[SrtpStatus.ofCode(-lengths[i]).ordinal()]++;
                }
            }
        }
        return ok;
    }

    private SrtpStatus run(SrtpOperation op, ByteBuffer packet) {
        SrtpStatus status;
        if (closed) {
            status = SrtpStatus.SESSION_CLOSED;
        } else if (packet.isReadOnly()) {
            status = SrtpStatus.BAD_ARGUMENT;
        } else if (counts[SrtpStatus.OK.ordinal()] >= options.keyLifetime()) {
            status = SrtpStatus.INDEX_EXHAUSTED;  // the negotiated key lifetime is used up
        } else {
            int pos = packet.position();
            int r = processOne(op.code(), packet, pos, packet.remaining(), packet.capacity() - pos);
            if (r >= 0) {
                packet.limit(pos + r);
                status = SrtpStatus.OK;
            } else {
                status = SrtpStatus.ofCode(-r);
            }
        }
        counts[status.ordinal()]++;
        return status;
    }

    /**
     * A packet is about to join an {@link SrtpPacketBatch}: the status it fails with right away
     * (counted), or null when it may go, and then it holds one packet of the key's lifetime until
     * {@link #settle} (so a batch never protects past the lifetime).
     */
    final SrtpStatus reserve(ByteBuffer buffer) {
        SrtpStatus refused = closed ? SrtpStatus.SESSION_CLOSED
                : buffer.isReadOnly() ? SrtpStatus.BAD_ARGUMENT
                : counts[SrtpStatus.OK.ordinal()] + reserved >= options.keyLifetime() ? SrtpStatus.INDEX_EXHAUSTED
                : null;
        if (refused != null) {
            counts[refused.ordinal()]++;
        } else {
            reserved++;
        }
        return refused;
    }

    /** A reserved packet was processed (or refused): {@code result} is its new length or {@code -code}. */
    final void settle(int result) {
        reserved--;
        counts[(result >= 0 ? SrtpStatus.OK : SrtpStatus.ofCode(-result)).ordinal()]++;
    }

    /** A reserved packet left its batch unprocessed: nothing happened to it, nothing is counted. */
    final void unreserve() {
        reserved--;
    }

    /** Octets an operation may add to a packet (tag, MKI, SRTCP index); unprotection adds none. */
    public final int maxOverhead(SrtpOperation operation) {
        int mki = mkiLength;
        switch (operation) {
            case PROTECT_RTP: return suite.srtpAuthTagLength() + mki;
            case PROTECT_RTCP: return suite.srtcpAuthTagLength() + 4 + mki;
            default: return 0;
        }
    }

    /** The rollover counter of the stream with this SSRC, if the session has seen it. */
    public final OptionalLong roc(int ssrc) {
        long r = closed ? -1 : rocOf(ssrc);
        return r < 0 ? OptionalLong.empty() : OptionalLong.of(r);
    }

    /**
     * Sets the ROC of a stream an inbound session joins in progress, before its first packet.
     * Anywhere else (an outbound session, a stream that has accepted a packet) it would reset the
     * replay window that keeps an index from being used twice under one key: BAD_ARGUMENT.
     * LIBSRTP2 cannot set a stream it has not seen: UNSUPPORTED.
     */
    public final SrtpStatus setRoc(int ssrc, long roc) {
        if (roc < 0 || roc > 0xffffffffL) {
            return SrtpStatus.BAD_ARGUMENT;
        }
        return closed ? SrtpStatus.SESSION_CLOSED : SrtpStatus.ofCode(setRocOf(ssrc, (int) roc));
    }

    public final SrtpCounters counters() {
        return new SrtpCounters(counts.clone());
    }

    public final SrtpEngine engine() {
        return engine;
    }

    public final SrtpDirection direction() {
        return direction;
    }

    public final CryptoSuite suite() {
        return suite;
    }

    public final SrtpSessionOptions options() {
        return options;
    }

    public final boolean isClosed() {
        return closed;
    }

    /** Frees the engine's state, wipes its keys and destroys the master key. Idempotent. */
    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
            if (ownedKey != null) {
                ownedKey.destroy();
            }
        }
    }

    @Override
    public String toString() {
        return "SrtpSession[" + engine + ", " + direction + ", " + suite + (closed ? ", closed" : "") + "]";
    }

    abstract int processOne(int op, ByteBuffer buffer, int offset, int length, int capacity);

    abstract int processBatch(int op, ByteBuffer buffer, int[] offsets, int[] lengths, int count, int slot);

    abstract long rocOf(int ssrc);

    abstract int setRocOf(int ssrc, int roc);

    abstract void release();
}
