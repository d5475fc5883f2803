package org.sipshield.config;

import java.util.List;

/** The whole, validated configuration of one sipshield instance. Immutable. */
public record SipShieldConfig(ServerSettings server, List<Listener> listeners) {
    public SipShieldConfig {
        listeners = List.copyOf(listeners);
    }
}
