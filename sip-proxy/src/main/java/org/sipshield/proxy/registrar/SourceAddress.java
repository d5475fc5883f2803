package org.sipshield.proxy.registrar;

import java.net.InetAddress;
import java.util.Objects;
import org.sipshield.config.Transport;

/**
 * Where a request really came from (the socket peer, not what Via or Contact claim): requests to
 * a device behind NAT go back there, and a registered device's later requests are recognised by it.
 */
public record SourceAddress(InetAddress address, int port, Transport transport) {
    public SourceAddress {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(transport, "transport");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** The address as text, the same for every InetAddress naming the same host. */
    public String host() {
        return address.getHostAddress();
    }

    @Override
    public String toString() {
        String host = host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "/" + transport;
    }
}
