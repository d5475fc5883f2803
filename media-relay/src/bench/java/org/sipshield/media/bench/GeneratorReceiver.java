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
     * How long the receiver sleeps when nothing has come back: about 70 us with the kernel's timer
     * slack. A blocking read would wake it (and take the sender's CPU) once per datagram; this takes
     * what came meanwhile in one system call, and adds the same 0-70 us to relayed and reference
     * packets alike, so the latency added by the relay is unchanged.
     */
    private static final long IDLE_NANOS = 20_000;

    private final int fd;
    private final InetSocketAddress address;
    private final ByteBuffer memory = ByteBuffer.allocateDirect(UdpNative.MAX_DATAGRAMS * SLOT);
    private final int[] records = new int[UdpNative.MAX_DATAGRAMS * UdpNative.RECEIVED_INTS];

    private GeneratorReceiver(int fd, InetSocketAddress address) {
        this.fd = fd;
        this.address = address;
    }

    /** A socket on {@code address}, any free port, with a 32 MB receive buffer (as far as net.core.rmem_max allows). */
    static GeneratorReceiver open(InetAddress address) {
        int fd = UdpNative.open(address.getAddress(), 0, 32 << 20);
        if (fd < 0) {
            throw new IllegalStateException("cannot open the generator's receiving socket: errno " + -fd);
        }
        int port = UdpNative.localPort(fd);
        if (port < 0) {
            UdpNative.close(fd);
            throw new IllegalStateException("cannot read the generator's receiving port: errno " + -port);
        }
        return new GeneratorReceiver(fd, new InetSocketAddress(address, port));
    }

    InetSocketAddress address() {
        return address;
    }

    /** Reads what is waiting, without blocking: how many datagrams (0 when none). */
    int receive() {
        int n = UdpNative.receive(fd, memory, 0, SLOT, UdpNative.MAX_DATAGRAMS, records);
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
        UdpNative.close(fd);
    }
}
