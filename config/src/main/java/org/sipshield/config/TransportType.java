package org.sipshield.config;

import java.util.EnumSet;
import java.util.Set;

/** A transport choice of a security profile, as the reference's drop-down lists name them. */
public enum TransportType {
    TCP("TCP", EnumSet.of(Transport.TCP)),
    UDP("UDP", EnumSet.of(Transport.UDP)),
    TCP_UDP("TCP+UDP", EnumSet.of(Transport.TCP, Transport.UDP)),
    TLS("TLS", EnumSet.of(Transport.TLS));

    private final String label;
    private final Set<Transport> transports;

    TransportType(String label, Set<Transport> transports) {
        this.label = label;
        this.transports = transports;
    }

    public String label() {
        return label;
    }

    /** The listener transports this choice admits. */
    public Set<Transport> transports() {
        return transports;
    }

    public boolean admits(Transport transport) {
        return transports.contains(transport);
    }
}
