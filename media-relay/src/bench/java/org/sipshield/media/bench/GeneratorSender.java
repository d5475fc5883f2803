package org.sipshield.media.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.sipshield.jni.UdpNative;

/**
 * The generator's sending socket: the packets due at one moment go out in one system call
 * (sendmmsg, through the relay's own native calls), each stamped with the time of that call.
 * One send per packet cost the generator's CPU so much that, at 640 streams and more, it fell
 * milliseconds behind its schedule and caught up with bursts the relay was then measured queueing.
 */
final class GeneratorSender implements AutoCloseable {
    private static final int SLOT = 256;
    private static final int BATCH = UdpNative.MAX_DATAGRAMS;

    private final GeneratorSocket socket;
    private final ByteBuffer memory = ByteBuffer.allocateDirect(BATCH * SLOT);
    private final int[] records = new int[BATCH * UdpNative.SENT_INTS];
    private final long[][] stamps = new long[BATCH][];
    private final int[] stampAt = new int[BATCH];
    private final long[] due = new long[BATCH];
    private int queued;

    private GeneratorSender(GeneratorSocket socket) {
        this.socket = socket;
    }

    /** A socket on {@code address}, any free port, with an 8 MB send buffer. */
    static GeneratorSender open(InetAddress address) {
        return new GeneratorSender(GeneratorSocket.open(address, 8 << 20, "sending"));
    }

    InetSocketAddress address() {
        return socket.address();
    }

    /** A destination as {@link #queue} takes it. */
    static int[] destination(InetSocketAddress to) {
        int[] packed = new int[UdpNative.ADDRESS_INTS];
        UdpNative.pack(to, packed, 0);
        return packed;
    }

    /**
     * Queues {@code packet} (position to limit) for {@code to}; when it goes out, its send time is
     * written at {@code sentAt[at]} and {@code dueNanos} is what it is counted late against. Sends
     * the queue first when it is full.
     */
    void queue(ByteBuffer packet, int[] to, long[] sentAt, int at, long dueNanos, long[] behindSchedule, StepReceipts receipts) {
        if (queued == BATCH) {
            flush(behindSchedule, receipts);
        }
        int length = packet.remaining();
        if (length > SLOT) {
            throw new IllegalArgumentException("a generated packet of " + length + " octets");
        }
        memory.put(queued * SLOT, packet, packet.position(), length);
        int r = queued * UdpNative.SENT_INTS;
        records[r] = queued * SLOT;
        records[r + 1] = length;
        System.arraycopy(to, 0, records, r + 2, UdpNative.ADDRESS_INTS);
        stamps[queued] = sentAt;
        stampAt[queued] = at;
        due[queued] = dueNanos;
        queued++;
    }

    /**
     * Sends what is queued, in one system call as far as the kernel takes it, each packet stamped with
     * that call's time and counted in {@code behindSchedule} (1 us buckets) by how late it went out,
     * and in {@code receipts} when over 1 ms late.
     */
    void flush(long[] behindSchedule, StepReceipts receipts) {
        if (queued == 0) {
            return;
        }
        long now = System.nanoTime();
        for (int k = 0; k < queued; k++) {
            stamps[k][stampAt[k]] = now;
            behindSchedule[(int) Math.max(0, Math.min(behindSchedule.length - 1, (now - due[k]) / 1000))]++;
            if (now - due[k] > 1_000_000L) {
                receipts.sentBehind(now);
            }
            stamps[k] = null;
        }
        int sent = UdpNative.send(socket.fd(), memory, records, queued);
        if (sent != queued) {
            // on the loopback a send buffer never fills: a packet not sent here would count as the relay's loss
            throw new IllegalStateException("the generator sent " + sent + " of " + queued + " packets");
        }
        queued = 0;
    }

    @Override
    public void close() {
        socket.close();
    }
}
