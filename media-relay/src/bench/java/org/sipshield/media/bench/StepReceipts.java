package org.sipshield.media.bench;

import java.nio.ByteBuffer;

/**
 * What came back in one step, read by the generator's one thread between its sends: each
 * packet's latency from the time it was sent (relayed and reference packets apart), in time or
 * late, and when in the step the late and the slow ones were sent.
 */
final class StepReceipts {
    /** 1 us buckets up to 200 ms. */
    static final int BUCKETS = 200_001;

    private final long[][] sentAt;
    private final int relayed;
    private final int all;
    private final long stepStart;
    final long[] histogram = new long[BUCKETS];
    final long[] refHistogram = new long[BUCKETS];
    /** Late relayed packets by the tenth of a second they were sent in: one stall or a steady shortfall? */
    final long[] lateByTenth;
    /** Relayed packets over the latency target, by tenth: is the p99 the calls' set-up (the ramp) or the steady state? */
    final long[] slowByTenth;
    /**
     * Packets the generator sent over 1 ms behind their schedule, by the tenth they went out in: a clump
     * the generator sent late reaches the relay all at once, and queues there.
     */
    final long[] behindByTenth;
    long received;
    long fullLoadReceived;
    long refReceived;
    /** Reference packets late too: the generator or the machine stalled, not only the relay. */
    long lateReference;

    StepReceipts(long[][] sentAt, int relayed, int references, int tenths, long stepStart) {
        this.sentAt = sentAt;
        this.relayed = relayed;
        this.all = relayed + references;
        this.stepStart = stepStart;
        this.lateByTenth = new long[tenths];
        this.slowByTenth = new long[tenths];
        this.behindByTenth = new long[tenths];
    }

    /** A packet sent at {@code sentNanos}, over 1 ms behind its schedule. */
    void sentBehind(long sentNanos) {
        behindByTenth[(int) Math.max(0, Math.min(behindByTenth.length - 1, (sentNanos - stepStart) / 100_000_000L))]++;
    }

    /** Reads what is waiting on {@code receiver}, without blocking, and counts it: how many datagrams. */
    int take(GeneratorReceiver receiver) {
        int count = receiver.receive();
        if (count == 0) {
            return 0;
        }
        long now = System.nanoTime();
        ByteBuffer memory = receiver.memory();
        for (int k = 0; k < count; k++) {
            if (receiver.length(k) < 12) {
                continue;
            }
            int seq = memory.getShort(receiver.offset(k) + 2) & 0xffff;
            int stream = memory.getInt(receiver.offset(k) + 8) - 0x10000;
            if (stream < 0 || stream >= all) {
                continue;
            }
            count(stream, seq, now);
        }
        return count;
    }

    private void count(int stream, int seq, long now) {
        long sentNanos = sentAt[stream][seq % sentAt[stream].length];
        long micros = (now - sentNanos) / 1000;
        boolean reference = stream >= relayed;
        // the tenth of a second of the step the packet was sent in (both arrays have the same length)
        int tenth = (int) Math.max(0, Math.min(lateByTenth.length - 1, (sentNanos - stepStart) / 100_000_000L));
        if (micros <= MediaRelayBenchmark.LATE_MICROS) {
            if (reference) {
                refReceived++;
            } else {
                received++;
                if (seq >= MediaRelayBenchmark.RAMP_PERIODS) { // sequence number = period, sent at full load
                    fullLoadReceived++;
                }
            }
        } else if (reference) {
            lateReference++;
        } else {
            lateByTenth[tenth]++;
        }
        if (!reference && micros > MediaRelayBenchmark.ADDED_P99_TARGET_MICROS) {
            slowByTenth[tenth]++;
        }
        (reference ? refHistogram : histogram)[(int) Math.max(0, Math.min(BUCKETS - 1, micros))]++;
    }
}
