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
    final TrunkHealth health = new TrunkHealth(java.time.Clock.systemUTC());

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
                  - {name: Port 5090 phones, transportType: TCP+UDP, sipPhonePort: 5090}
                phones:
                  - {deviceName: SEP000000002001, securityProfile: Plain phones, lines: ["2001", "2002"]}
                  - {deviceName: SEP000000003001, securityProfile: Port 5090 phones, lines: ["3001", "3002", "3003"]}
                """);
    }

    TargetResolver resolver() {
        return new TargetResolver(() -> model, number -> switch (number) {
            case "2001" -> Optional.of(new Hop("2001", "192.0.2.20", 5062, Transport.UDP));
            case "3001" -> Optional.of(new Hop("3001", "192.0.2.30", Hop.NO_PORT, Transport.UDP));
            case "3002" -> Optional.of(new Hop("3002", "192.0.2.30", Hop.NO_PORT, Transport.TCP));
            case "3003" -> Optional.of(new Hop("3003", "192.0.2.30", 5070, Transport.UDP));
            default -> Optional.empty();
        }, health);
    }

    @Test
    void aUdpContactWithoutAPortIsCalledAtTheProfilesSipPhonePortAndOnlyThen() {
        assertEquals(List.of(new Hop("3001", "192.0.2.30", 5090, Transport.UDP)),
                assertInstanceOf(Target.class, resolver().resolve("3001", new Peer.Unknown())).hops());
        assertEquals(List.of(new Hop("3002", "192.0.2.30", 5060, Transport.TCP)),
                assertInstanceOf(Target.class, resolver().resolve("3002", new Peer.Unknown())).hops(),
                "TCP and TLS phones ignore SIP Phone Port");
        assertEquals(List.of(new Hop("3003", "192.0.2.30", 5070, Transport.UDP)),
                assertInstanceOf(Target.class, resolver().resolve("3003", new Peer.Unknown())).hops(),
                "a usable Contact port wins");
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

    @Test
    void aDestinationThePingsFoundDownIsSkippedAndATrunkWithNoneUpGets503() {
        health.record(new TrunkHealth.Key("carrier", "127.0.0.2", 5070), 1, false, "timeout");
        Target target = assertInstanceOf(Target.class, resolver().resolve("9123", null));
        assertEquals(List.of(new Hop("9123", "127.0.0.3", 5070, Transport.TCP)), target.hops());

        health.record(new TrunkHealth.Key("carrier", "127.0.0.3", 5070), 2, false, "503");
        assertEquals(new Routing.NoRoute(503, "Service Unavailable"), resolver().resolve("9123", null));

        health.record(new TrunkHealth.Key("carrier", "127.0.0.2", 5070), 1, true, "200");
        target = assertInstanceOf(Target.class, resolver().resolve("9123", null));
        assertEquals(List.of(new Hop("9123", "127.0.0.2", 5070, Transport.TCP)), target.hops());
    }
}
