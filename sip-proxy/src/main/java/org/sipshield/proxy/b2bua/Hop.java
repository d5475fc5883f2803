package org.sipshield.proxy.b2bua;

import java.net.InetSocketAddress;
import org.sipshield.config.Transport;

/**
 * One place to send the outbound leg's request: host, port, transport, and the user to ask for;
 * for a registered TCP/TLS phone also its connection (its flow), where every request of the leg
 * goes (null otherwise).
 */
public record Hop(String user, String host, int port, Transport transport, InetSocketAddress connection) {
    public Hop(String user, String host, int port, Transport transport) {
        this(user, host, port, transport, null);
    }

    /** A registered contact without a usable port: the phone's profile decides where to send. */
    public static final int NO_PORT = 0;

    /**
     * This hop at the port a phone without a usable Contact port listens on: the profile's SIP
     * Phone Port over UDP; TCP and TLS phones ignore that setting (the reference says so), so theirs
     * is the transport's default.
     */
    Hop atPhonePort(int sipPhonePort) {
        if (port != NO_PORT) {
            return this;
        }
        int fallback = switch (transport) {
            case UDP -> sipPhonePort;
            case TLS -> 5061;
            default -> 5060;
        };
        return new Hop(user, host, fallback, transport, connection);
    }

    @Override
    public String toString() {
        return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + ";" + transport;
    }
}
