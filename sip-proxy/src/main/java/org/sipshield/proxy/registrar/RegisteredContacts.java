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
import org.slf4j.LoggerFactory;

/**
 * What routing and classification ask of the registrar, answered from its bindings: where a
 * directory number is reachable now, and whether a device registered from a socket address.
 */
public final class RegisteredContacts implements Registrations, ClassifySource.RegisteredSources {
    private static final Logger LOG = LoggerFactory.getLogger(RegisteredContacts.class);

    private final Registrar registrar;

    public RegisteredContacts(Registrar registrar) {
        this.registrar = registrar;
    }

    /** The newest binding's contact, reached over the transport it registered on. */
    @Override
    public Optional<Hop> contactOf(String directoryNumber) {
        List<Binding> bindings = registrar.bindingsForDirectoryNumber(directoryNumber);
        if (bindings.isEmpty()) {
            return Optional.empty();
        }
        Binding binding = bindings.get(0); // newest first
        try {
            var uri = (SipURI) SipFactory.getInstance().createAddressFactory().createURI(binding.contactUri());
            String user = uri.getUser() == null ? directoryNumber : uri.getUser();
            Transport transport = binding.source().transport();
            int port = uri.getPort() > 0 && uri.getPort() <= 65535 ? uri.getPort() : Hop.NO_PORT; // routing picks the profile's
            return Optional.of(new Hop(user, uri.getHost(), port, transport));
        } catch (ParseException | PeerUnavailableException | ClassCastException e) {
            // Stored contacts were parsed at REGISTER; one that no longer parses is not routed to.
            LOG.warn("registered contact of {} is unusable: {}", directoryNumber, e.getMessage());
            return Optional.empty();
        }
    }

    /** The address and port of any active binding of the device, whatever its transport. */
    @Override
    public boolean isRegisteredFrom(String deviceName, InetSocketAddress source) {
        return registrar.bindingsOfDevice(deviceName).stream()
                .anyMatch(b -> b.source().address().equals(source.getAddress()) && b.source().port() == source.getPort());
    }
}
