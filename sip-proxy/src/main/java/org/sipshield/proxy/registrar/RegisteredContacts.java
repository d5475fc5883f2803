package org.sipshield.proxy.registrar;

import java.net.InetSocketAddress;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import javax.sip.PeerUnavailableException;
import javax.sip.SipFactory;
import javax.sip.address.SipURI;
import org.sipshield.config.Transport;
import org.sipshield.proxy.b2bua.Hop;
import org.sipshield.proxy.b2bua.Registrations;
import org.sipshield.proxy.pipeline.ClassifySource;
import org.slf4j.Logger;
import org.sipshield.proxy.transport.PhoneFlows;
import org.slf4j.LoggerFactory;

/**
 * What routing and classification ask of the registrar, answered from its bindings: where a
 * directory number is reachable now, and whether a device registered from a socket address.
 */
public final class RegisteredContacts implements Registrations, ClassifySource.RegisteredSources {
    private static final Logger LOG = LoggerFactory.getLogger(RegisteredContacts.class);

    private final Registrar registrar;
    private final String nodeName;

    /**
     * nodeName: this node's (server.nodeName), to tell the bindings it holds from the others'; null
     * when the bindings are not shared (SQLite): this node holds them all, whatever name wrote them.
     */
    public RegisteredContacts(Registrar registrar, String nodeName) {
        this.registrar = registrar;
        this.nodeName = nodeName;
    }

    /**
     * The newest binding's contact that this node can reach, over the transport it registered on
     * (for TCP and TLS, over its very connection: see {@link PhoneFlows}).
     * A TCP or TLS phone whose connection another node holds is not reached from here: a new
     * connection to its Contact (often a private address, or a port it does not listen on) would
     * reach nothing, or whoever listens there now.
     */
    @Override
    public Optional<Hop> contactOf(String directoryNumber) {
        Optional<Binding> reachable = registrar.bindingsForDirectoryNumber(directoryNumber).stream()
                .filter(this::reachableHere).findFirst(); // newest first
        if (reachable.isEmpty()) {
            return Optional.empty();
        }
        Binding binding = reachable.get();
        try {
            var uri = (SipURI) SipFactory.getInstance().createAddressFactory().createURI(binding.contactUri());
            String user = uri.getUser() == null ? directoryNumber : uri.getUser();
            Transport transport = binding.source().transport();
            int port = uri.getPort() > 0 && uri.getPort() <= 65535 ? uri.getPort() : Hop.NO_PORT; // routing picks the profile's
            // a TCP/TLS phone is reached over the connection it registered on, whatever its Contact names
            var connection = transport == Transport.UDP ? null
                    : new java.net.InetSocketAddress(binding.source().address(), binding.source().port());
            return Optional.of(new Hop(user, uri.getHost(), port, transport, connection));
        } catch (ParseException | PeerUnavailableException | ClassCastException e) {
            // Stored contacts were parsed at REGISTER; one that no longer parses is not routed to.
            LOG.warn("registered contact of {} is unusable: {}", directoryNumber, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> nodeHolding(String directoryNumber) {
        List<Binding> bindings = registrar.bindingsForDirectoryNumber(directoryNumber);
        if (bindings.isEmpty() || bindings.stream().anyMatch(this::reachableHere)) {
            return Optional.empty();
        }
        return Optional.of(bindings.get(0).flow().nodeName()); // unreachable here: held by a named node
    }

    private boolean reachableHere(Binding binding) {
        return nodeName == null || binding.reachableFrom(nodeName);
    }

    /** The address and port of any active binding of the device, whatever its transport. */
    @Override
    public boolean isRegisteredFrom(String deviceName, InetSocketAddress source) {
        return registrar.bindingsOfDevice(deviceName).stream()
                .anyMatch(b -> b.source().address().equals(source.getAddress()) && b.source().port() == source.getPort());
    }
}
