package org.sipshield.proxy.registrar;

import java.time.Instant;
import java.util.List;

/**
 * Durable home of the registrar's bindings. Every write is committed before the method returns,
 * so a 200 OK is only ever sent for a binding that survives a restart. Methods taking {@code now}
 * never return bindings that expired at or before it.
 */
public interface RegistrationStore extends AutoCloseable {

    /** The active bindings of one line of one device, oldest registration first. */
    List<Binding> bindings(String deviceName, String addressOfRecord, Instant now);

    /** Replaces all bindings of one line of one device in one transaction. */
    void replaceBindings(String deviceName, String addressOfRecord, List<Binding> bindings);

    /** One line's complete new state. */
    record LineBindings(String deviceName, String addressOfRecord, List<Binding> bindings) {}

    /** Replaces the bindings of several lines in one transaction: all are committed, or none. */
    void replaceLines(List<LineBindings> lines);

    /**
     * A new connection to the database this store opened and migrated, for the other tables the
     * same migrations create (call records); the caller closes it.
     */
    java.sql.Connection newConnection() throws java.sql.SQLException;

    /** Every active binding: what a registrar loads on start. */
    List<Binding> allActive(Instant now);

    /** Active bindings whose address of record is this directory number, newest first. */
    List<Binding> bindingsForAddressOfRecord(String addressOfRecord, Instant now);

    /** Active bindings of a device over all its lines, newest first. */
    List<Binding> bindingsOfDevice(String deviceName, Instant now);

    /** Active bindings registered from exactly this address, port and transport, newest first. */
    List<Binding> bindingsFrom(SourceAddress source, Instant now);

    /** Deletes bindings that expired at or before {@code now}; returns how many. */
    int purgeExpired(Instant now);

    /** Whether the database answers a query now (readiness). */
    boolean reachable();

    /**
     * Lines other nodes sharing this store committed: the store calls {@code changed} with each such
     * line's state as committed, and {@code resync} with every active binding whenever it may have
     * missed changes (on connecting its listener). A store only this node writes calls neither.
     */
    default void followOtherNodes(java.util.function.Consumer<LineBindings> changed,
            java.util.function.Consumer<List<Binding>> resync) {}

    @Override
    void close();
}
