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
 * destinations the OPTIONS pings have not found down (503 when every one is down). In a cluster,
 * a TCP or TLS phone whose connection another node holds is reached through that node's trunk.
 */
public final class TargetResolver {
    private static final org.slf4j.Logger SECURITY = org.slf4j.LoggerFactory.getLogger("sipshield.security");
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
        // another node's hop carries calls for the phones held here, never on (no loop, no trunk)
        boolean fromNode = caller instanceof Peer.Trunk trunk && config.cluster().isNodeTrunk(trunk.trunk().name());
        Optional<DeviceIdentity> device = current.deviceByNumber(number);
        if (device.isPresent()) {
            Optional<Hop> contact = registrations.contactOf(number);
            if (contact.isEmpty()) {
                Optional<String> holder = registrations.nodeHolding(number);
                return holder.isPresent() && !fromNode ? throughNode(current, number, holder.get())
                        : unavailable(number, holder, fromNode ? "called from another node" : null);
            }
            var profile = current.profileOf(device.get());
            Hop hop = contact.get().atPhonePort(profile.sipPhonePort());
            return new Target(new Peer.Device(device.get(), profile), List.of(hop),
                    profile.deviceSecurityMode() == DeviceSecurityMode.ENCRYPTED,
                    hop.transport() == Transport.TLS, false);
        }
        if (fromNode) {
            return new Routing.NoRoute(404, "Not Found");
        }
        for (RoutePattern route : config.routePatterns()) {
            if (route.matches(number)) {
                return trunkTarget(current, current.trunk(route.trunk()).orElseThrow(), number)
                        .orElse(new Routing.NoRoute(503, "Service Unavailable"));
            }
        }
        return new Routing.NoRoute(404, "Not Found");
    }

    /**
     * A call for a TCP or TLS phone whose connection another node holds goes to that node over its
     * trunk (cluster.nodes), as to any trunk; that node delivers it on the phone's connection.
     */
    private Routing throughNode(SecurityModel current, String number, String node) {
        Optional<SipTrunk> trunk = current.config().cluster().trunkOf(node).flatMap(current::trunk);
        if (trunk.isEmpty()) {
            return unavailable(number, Optional.of(node), "no trunk reaches that node (cluster.nodes)");
        }
        Optional<Routing> target = trunkTarget(current, trunk.get(), number);
        return target.isPresent() ? target.get()
                : unavailable(number, Optional.of(node), "trunk " + trunk.get().name() + " is down");
    }

    /** 480, saying why when another node holds the phone (never a connection to its Contact from here). */
    private static Routing unavailable(String number, Optional<String> holder, String why) {
        holder.ifPresent(node -> SECURITY.warn("SECURITY registered-on-other-node number={} node={} reason=\"{}\"",
                number, node, why == null ? "" : why));
        return new Routing.NoRoute(480, "Temporarily Unavailable");
    }

    /** The trunk's destinations the pings have not found down; empty when every one is down. */
    private Optional<Routing> trunkTarget(SecurityModel current, SipTrunk trunk, String number) {
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
            return Optional.empty();
        }
        return Optional.of(new Target(new Peer.Trunk(trunk, profile), hops, trunk.srtpAllowed(),
                profile.outgoingTransportType() == TransportType.TLS, profile.transmitSecurityStatus()));
    }
}
