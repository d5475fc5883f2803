package org.sipshield.proxy.b2bua;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.Destination;
import org.sipshield.config.RoutePattern;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.SipTrunkSecurityProfile;
import org.sipshield.config.Transport;
import org.sipshield.config.TransportType;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;

/**
 * Routing: a called number goes to the device that has it as a directory number (when
 * registered), otherwise to the trunk of the first route pattern that matches it, on those of its
 * destinations the OPTIONS pings have not found down (503 when every one is down).
 */
public final class TargetResolver {
    private final Supplier<SecurityModel> model;
    private final Registrations registrations;
    private final TrunkHealth health;

    public TargetResolver(Supplier<SecurityModel> model, Registrations registrations, TrunkHealth health) {
        this.model = model;
        this.registrations = registrations;
        this.health = health;
    }

    /** The transport a trunk's requests leave on: its profile's outgoing transport type (TCP for TCP+UDP). */
    static Transport outgoingTransport(SipTrunkSecurityProfile profile) {
        return switch (profile.outgoingTransportType()) {
            case TLS -> Transport.TLS;
            case UDP -> Transport.UDP;
            default -> Transport.TCP;
        };
    }

    /** The target for a called number, or the status that explains why there is none. */
    public Routing resolve(String number, Peer caller) {
        SecurityModel current = model.get();
        SipShieldConfig config = current.config();
        if (number == null || number.isEmpty()) {
            return new Routing.NoRoute(404, "Not Found");
        }
        if (caller instanceof Peer.Trunk trunk && !trunk.trunk().inboundCalledNumbers().isEmpty()
                && trunk.trunk().inboundCalledNumbers().stream().noneMatch(p -> RoutePattern.matches(p, number))) {
            return new Routing.NoRoute(404, "Not Found");
        }
        Optional<DeviceIdentity> device = current.deviceByNumber(number);
        if (device.isPresent()) {
            Optional<Hop> contact = registrations.contactOf(number);
            if (contact.isEmpty()) {
                return new Routing.NoRoute(480, "Temporarily Unavailable");
            }
            var profile = current.profileOf(device.get());
            Hop hop = contact.get().atPhonePort(profile.sipPhonePort());
            return new Target(new Peer.Device(device.get(), profile), List.of(hop),
                    profile.deviceSecurityMode() == DeviceSecurityMode.ENCRYPTED,
                    hop.transport() == Transport.TLS, false);
        }
        for (RoutePattern route : config.routePatterns()) {
            if (route.matches(number)) {
                SipTrunk trunk = current.trunk(route.trunk()).orElseThrow();
                SipTrunkSecurityProfile profile = current.profileOf(trunk);
                Transport transport = outgoingTransport(profile);
                List<Hop> hops = new ArrayList<>();
                for (Destination destination : current.destinations(trunk)) {
                    Hop hop = new Hop(number, destination.host(), destination.port(), transport);
                    if (health.isUp(trunk.name(), hop)) {
                        hops.add(hop);
                    }
                }
                if (hops.isEmpty() && !current.destinations(trunk).isEmpty()) {
                    return new Routing.NoRoute(503, "Service Unavailable");
                }
                return new Target(new Peer.Trunk(trunk, profile), hops, trunk.srtpAllowed(),
                        profile.outgoingTransportType() == TransportType.TLS, profile.transmitSecurityStatus());
            }
        }
        return new Routing.NoRoute(404, "Not Found");
    }
}
