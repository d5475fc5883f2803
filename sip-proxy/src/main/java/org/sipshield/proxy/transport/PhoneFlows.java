package org.sipshield.proxy.transport;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the requests of a leg to a registered TCP or TLS phone really go: the connection it
 * registered over (its flow, RFC 5626), not the address its Contact names. A phone behind NAT
 * writes its private address in its Contact, and a TLS phone seldom listens at the port it names: a
 * new connection there reaches nothing, or somebody else.
 *
 * <p>Keyed by the leg's Call-ID, which we chose when we sent its first request to the phone
 * (the B2BUA pins it there, from the binding it routed to): every later request of that leg, the
 * dialog's ACK, BYE and re-INVITEs included, carries it, and nothing another device can write into
 * a Contact or a Request-URI can make a request of another leg follow this flow. Unpinned when the
 * leg's dialog ends or, for a request without a dialog, its transaction; entries older than a day
 * are swept should an end ever be missed. One per SIP stack.
 */
public final class PhoneFlows {
    private static final Map<String, PhoneFlows> BY_STACK = new ConcurrentHashMap<>();
    /** Past this many legs pinned at once, entries pinned longer ago than MAX_AGE_NANOS are swept. */
    private static final int SWEEP_ABOVE = 50_000;
    private static final long MAX_AGE_NANOS = 24L * 3600 * 1_000_000_000L;

    /** connection: the phone's end of its connection, as seen from here. */
    private record Pinned(InetSocketAddress connection, long atNanos) {}

    private final Map<String, Pinned> byCallId = new ConcurrentHashMap<>();

    /** The flows of the stack of this name (made on first use, by the server or the router). */
    public static PhoneFlows of(String stackName) {
        return BY_STACK.computeIfAbsent(stackName, name -> new PhoneFlows());
    }

    /** The server's stack is gone: its flows with it. */
    public static void forget(String stackName) {
        BY_STACK.remove(stackName);
    }

    /** Every request of the leg with this Call-ID goes to {@code connection} (TCP and TLS hops only). */
    public void pin(String callId, InetSocketAddress connection) {
        long now = System.nanoTime();
        if (byCallId.size() > SWEEP_ABOVE) {
            byCallId.values().removeIf(p -> now - p.atNanos() > MAX_AGE_NANOS);
        }
        byCallId.put(callId, new Pinned(connection, now));
    }

    public void unpin(String callId) {
        byCallId.remove(callId);
    }

    /** Legs pinned now (for tests). */
    public int pinned() {
        return byCallId.size();
    }

    Optional<InetSocketAddress> connectionOf(String callId) {
        Pinned pinned = byCallId.isEmpty() ? null : byCallId.get(callId);
        return pinned == null ? Optional.empty() : Optional.of(pinned.connection());
    }
}
