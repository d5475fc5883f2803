package org.sipshield.proxy.transport;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.sipshield.config.Transport;

/**
 * Where the requests to a registered TCP or TLS phone really go: the connection it registered over
 * (its flow, RFC 5626), not the address its Contact names. A phone behind NAT writes its private
 * address in its Contact, and a TLS phone seldom listens at the port it names: a new connection
 * there reaches nothing, or somebody else. The registrar's answer to "where is this number"
 * records the flow here, keyed by what every request to the phone carries in its Request-URI (the
 * Contact's user and host, and the transport); {@link FlowRouter} then sends every request so
 * addressed, the dialog's ACK, BYE and re-INVITEs included, to that connection's address.
 *
 * <p>The user part keeps two phones whose Contacts name the same private address (two home offices
 * on 192.168.1.0/24) apart. Entries are replaced by a newer registration's flow and are as many as
 * the TCP/TLS phones called: no expiry needed. One per SIP stack.
 */
public final class PhoneFlows {
    private static final Map<String, PhoneFlows> BY_STACK = new ConcurrentHashMap<>();

    /** A phone's connection as seen from here: its remote address and port. */
    public record Flow(InetAddress address, int port) {}

    private final Map<String, Flow> flows = new ConcurrentHashMap<>();

    /** The flows of the stack of this name (made on first use, by the server or the router). */
    public static PhoneFlows of(String stackName) {
        return BY_STACK.computeIfAbsent(stackName, name -> new PhoneFlows());
    }

    /** The server's stack is gone: its flows with it. */
    public static void forget(String stackName) {
        BY_STACK.remove(stackName);
    }

    /** Requests to {@code user@host} over {@code transport} go to {@code flow} from now on (TCP and TLS only). */
    public void pin(String user, String host, Transport transport, Flow flow) {
        if (transport == Transport.TCP || transport == Transport.TLS) {
            flows.put(key(user, host, transport.name()), flow);
        }
    }

    Optional<Flow> flowFor(String user, String host, String transport) {
        return flows.isEmpty() ? Optional.empty() : Optional.ofNullable(flows.get(key(user, host, transport)));
    }

    private static String key(String user, String host, String transport) {
        return (user == null ? "" : user) + '@' + host.toLowerCase(Locale.ROOT) + '/' + transport.toUpperCase(Locale.ROOT);
    }
}
