package org.sipshield.config;

/**
 * The management listener: HTTPS for /metrics, /health and admin actions, apart from the SIP
 * listeners so that it can stay on loopback (or a management network) while SIP faces the world.
 *
 * @param enabled whether it listens at all; a file without a {@code management:} section leaves it
 *                off, so an upgrade never opens a port nobody asked for (the shipped file turns it on)
 * @param address an IP address of this machine
 * @param port    its TCP port; it cannot share address and port with a TCP or TLS SIP listener
 */
public record ManagementSettings(boolean enabled, String address, int port) {
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 9443;

    public static ManagementSettings disabled() {
        return new ManagementSettings(false, DEFAULT_ADDRESS, DEFAULT_PORT);
    }
}
