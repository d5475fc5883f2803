package org.sipshield.config;

/** Where a trunk sends requests: an IP address (or host name) and port. */
public record Destination(String host, int port) {
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
