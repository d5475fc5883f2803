package org.sipshield.proxy.b2bua;

import java.util.Optional;

/** What routing needs of the registrar: where a directory number is reachable now. */
public interface Registrations {
    /** The current contact of the device that has this directory number, if it is registered and reachable from here. */
    Optional<Hop> contactOf(String directoryNumber);

    /**
     * When the number has no contact reachable from here but is registered over TCP or TLS through
     * another node: that node (which alone holds the phone's connection). A node whose bindings are
     * not shared has no other node.
     */
    default Optional<String> nodeHolding(String directoryNumber) {
        return Optional.empty();
    }
}
