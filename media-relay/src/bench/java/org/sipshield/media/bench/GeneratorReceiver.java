package org.sipshield.media.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import org.sipshield.jni.UdpNative;

/**
 * The generator's receiving socket: read in batches through the relay's own native calls
 * (recvmmsg), with nothing allocated per datagram, so the generator's JVM has nothing to collect
 * while a step runs and its sender never stands still for a collection.
 */
final class GeneratorReceiver implements AutoCloseable {
    private static final int SLOT = 2048;
    /**
     * How long the generator sleeps when nothing has come back and it shares the relay's CPUs: about
     * 70 us with the kernel's timer slack, the same for relayed and reference packets, so the latency
     * added by the relay is unchanged.
     */
    private static final long IDLE_NANOS = 20_000;

    private final GeneratorSocket socket;
    private final ByteBuffer memory = ByteBuffer.allocateDirect(UdpNative.MAX_DATAGRAMS * SLOT);
    private final int[] records = new int[UdpNative.MAX_DATAGRAMS * UdpNative.RECEIVED_INTS];

    private GeneratorReceiver(GeneratorSocket socket) {
        this.socket = socket;
    }

    /** A socket on {@code address}, any free port, with a 32 MB receive buffer. */
    static GeneratorReceiver open(InetAddress address) {
        return new GeneratorReceiver(GeneratorSocket.open(address, 32 << 20, "receiving"));
    }

    InetSocketAddress address() {
        return socket.address();
    }

    /** Reads what is waiting, without blocking: how many datagrams (0 when none). */
    int receive() {
        int n = UdpNative.receive(socket.fd(), memory, 0, SLOT, UdpNative.MAX_DATAGRAMS, records);
        if (n < 0) {
            throw new IllegalStateException("the generator's receiving socket failed: errno " + -n);
        }
        return n;
    }

    /** Waits a little before the next {@link #receive} (see {@link #IDLE_NANOS}). */
    void idle() {
        LockSupport.parkNanos(IDLE_NANOS);
    }

    /** Datagram {@code k}'s length, or {@link UdpNative#TRUNCATED}. */
    int length(int k) {
        return records[k * UdpNative.RECEIVED_INTS];
    }

    /** Where datagram {@code k} starts in {@link #memory()}. */
    int offset(int k) {
        return k * SLOT;
    }

    ByteBuffer memory() {
        return memory;
    }

    @Override
    public void close() {
        socket.close();
    }
}
