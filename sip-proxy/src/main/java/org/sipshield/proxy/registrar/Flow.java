package org.sipshield.proxy.registrar;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Where a binding is held: the node whose listener took its REGISTER, and that listener's socket.
 * With the binding's source (remote socket and transport) it names the flow of RFC 5626: a TCP or
 * TLS phone is reached over that connection, which only that node holds.
 *
 * @param localAddress the listener's address, or null for a row written before it was recorded
 * @param localPort    the listener's port, or 0 when not recorded
 */
public record Flow(String nodeName, InetAddress localAddress, int localPort) {
    public Flow {
        Objects.requireNonNull(nodeName, "nodeName");
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + localPort);
        }
    }
}
