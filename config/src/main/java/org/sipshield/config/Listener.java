package org.sipshield.config;

/** One SIP listening point: transport, local IP address and port. */
public record Listener(Transport transport, String address, int port) {
    @Override
    public String toString() {
        return transport + " " + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
}
