package org.sipshield.proxy.b2bua;

import java.util.Optional;

/** What routing needs of the registrar: where a directory number is reachable now. */
public interface Registrations {
    /** The current contact of the device that has this directory number, if it is registered. */
    Optional<Hop> contactOf(String directoryNumber);
}
