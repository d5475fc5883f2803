package org.sipshield.proxy.b2bua;

import org.sipshield.config.Transport;

/** One place to send the outbound leg's request: host, port, transport, and the user to ask for. */
public record Hop(String user, String host, int port, Transport transport) {
    @Override
    public String toString() {
        return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + ";" + transport;
    }
}
