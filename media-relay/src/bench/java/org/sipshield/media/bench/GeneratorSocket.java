package org.sipshield.media.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.sipshield.jni.UdpNative;

/** One of the generator's native UDP sockets (the relay's own calls): its descriptor and where it is bound. */
record GeneratorSocket(int fd, InetSocketAddress address) implements AutoCloseable {

    /**
     * A socket on {@code address}, any free port, with {@code bufferBytes} of socket buffer (as far
     * as net.core.rmem_max / wmem_max allow); {@code role} names it in the error.
     */
    static GeneratorSocket open(InetAddress address, int bufferBytes, String role) {
        int fd = UdpNative.open(address.getAddress(), 0, bufferBytes);
        if (fd < 0) {
            throw new IllegalStateException("cannot open the generator's " + role + " socket: errno " + -fd);
        }
        int port = UdpNative.localPort(fd);
        if (port < 0) {
            UdpNative.close(fd);
            throw new IllegalStateException("cannot read the generator's " + role + " port: errno " + -port);
        }
        return new GeneratorSocket(fd, new InetSocketAddress(address, port));
    }

    @Override
    public void close() {
        UdpNative.close(fd);
    }
}
