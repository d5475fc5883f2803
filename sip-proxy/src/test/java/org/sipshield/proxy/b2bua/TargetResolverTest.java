package org.sipshield.proxy.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.security.TestModels;

/** Routing: a registered device's number first, then the first matching route pattern's trunk, else 404 (480 for an unregistered line). */
class TargetResolverTest {
    static SecurityModel model;

    @BeforeAll
    static void model() throws Exception {
        model = TestModels.model("""
                sipTrunkSecurityProfiles:
                  - {name: Carrier, incomingPort: 5060, outgoingTransportType: TCP, transmitSecurityStatus: true}
                sipTrunks:
                  - {name: carrier, securityProfile: Carrier, destinations: ["127.0.0.2:5070", "127.0.0.3:5070"], srtpAllowed: true}
                  - {name: restricted, securityProfile: Carrier, destinations: ["127.0.0.4:5060"], inboundCalledNumbers: ["2!"]}
                routePatterns:
                  - {pattern: "9!", trunk: carrier}
                phoneSecurityProfiles:
                  - {name: Plain phones, transportType: TCP+UDP}
                phones:
                  - {deviceName: SEP000000002001, securityProfile: Plain phones, lines: ["2001", "2002"]}
                """);
    }

    static TargetResolver resolver() {
        return new TargetResolver(() -> model, number -> "2001".equals(number)
                ? Optional.of(new Hop("2001", "192.0.2.20", 5062, Transport.UDP)) : Optional.empty());
    }

    @Test
    void aRegisteredLineIsReachedAtItsContact() {
        Routing route = resolver().resolve("2001", new Peer.Unknown());
        Target target = assertInstanceOf(Target.class, route);
        assertInstanceOf(Peer.Device.class, target.peer());
        assertEquals(List.of(new Hop("2001", "192.0.2.20", 5062, Transport.UDP)), target.hops());
    }

    @Test
    void aLineThatIsNotRegisteredGets480AndAnUnroutableNumber404() {
        assertEquals(new Routing.NoRoute(480, "Temporarily Unavailable"), resolver().resolve("2002", new Peer.Unknown()));
        assertEquals(new Routing.NoRoute(404, "Not Found"), resolver().resolve("4444", new Peer.Unknown()));
        assertEquals(new Routing.NoRoute(404, "Not Found"), resolver().resolve("", new Peer.Unknown()));
    }

    @Test
    void aRoutePatternGoesToItsTrunksDestinationsInOrderOverItsOutgoingTransport() {
        Target target = assertInstanceOf(Target.class, resolver().resolve("9123", new Peer.Unknown()));
        assertEquals(List.of(new Hop("9123", "127.0.0.2", 5070, Transport.TCP), new Hop("9123", "127.0.0.3", 5070, Transport.TCP)),
                target.hops());
        assertTrue(target.srtpAllowed());
        assertTrue(target.transmitSecurityStatus());
    }

    @Test
    void aTrunkMayCallOnlyItsInboundCalledNumbers() {
        Peer.Trunk restricted = new Peer.Trunk(model.trunk("restricted").orElseThrow(),
                model.profileOf(model.trunk("restricted").orElseThrow()));
        assertEquals(new Routing.NoRoute(404, "Not Found"), resolver().resolve("9123", restricted));
        assertInstanceOf(Target.class, resolver().resolve("2001", restricted));
    }
}
