package org.sipshield.proxy.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.security.TestModels;

/**
 * Routing in a cluster: a TCP/TLS phone another node holds is called through that node's trunk;
 * a call that came from a node goes to phones held here only; no trunk for the node: 480.
 */
class ClusterRoutingTest {
    static SecurityModel model;
    final TrunkHealth health = new TrunkHealth(java.time.Clock.systemUTC());

    @BeforeAll
    static void model() throws Exception {
        model = TestModels.model("""
                database: {url: "jdbc:postgresql://127.0.0.1/sipshield"}
                sipTrunkSecurityProfiles:
                  - {name: Carrier, incomingPort: 5060}
                  - {name: Hop to sip1, deviceSecurityMode: Encrypted, incomingPort: 5061, incomingTransportType: TLS,
                     outgoingTransportType: TLS, secureCertificateSubjectOrSubjectAlternateName: sip1.cluster.test}
                sipTrunks:
                  - {name: carrier, securityProfile: Carrier, destinations: ["127.0.0.2:5070"]}
                  - {name: to-sip1, securityProfile: Hop to sip1, destinations: ["127.0.0.11:5061"]}
                routePatterns:
                  - {pattern: "9!", trunk: carrier}
                phoneSecurityProfiles:
                  - {name: Phones, transportType: TCP+UDP}
                phones:
                  - {deviceName: SEP000000002001, securityProfile: Phones, lines: ["2001", "2002", "2003"]}
                cluster:
                  nodes:
                    sip1: {trunk: to-sip1}
                """);
    }

    /** 2001 registered here; 2002 over TLS through sip1; 2003 over TLS through sip9, which no trunk reaches. */
    TargetResolver resolver() {
        Map<String, String> elsewhere = Map.of("2002", "sip1", "2003", "sip9");
        return new TargetResolver(() -> model, new Registrations() {
            @Override
            public Optional<Hop> contactOf(String number) {
                return number.equals("2001") ? Optional.of(new Hop("2001", "192.0.2.20", 5062, Transport.UDP)) : Optional.empty();
            }

            @Override
            public Optional<String> nodeHolding(String number) {
                return Optional.ofNullable(elsewhere.get(number));
            }
        }, health);
    }

    static Peer.Trunk trunk(String name) {
        var trunk = model.trunk(name).orElseThrow();
        return new Peer.Trunk(trunk, model.profileOf(trunk));
    }

    @Test
    void aPhoneAnotherNodeHoldsIsCalledThroughThatNodesTrunk() {
        Target target = assertInstanceOf(Target.class, resolver().resolve("2002", trunk("carrier")));
        assertEquals("to-sip1", assertInstanceOf(Peer.Trunk.class, target.peer()).trunk().name());
        assertEquals(List.of(new Hop("2002", "127.0.0.11", 5061, Transport.TLS)), target.hops());
    }

    @Test
    void aNodeWithoutATrunkGets480AndASecurityLine() throws Exception {
        try (SecurityLog security = new SecurityLog()) {
            assertEquals(new Routing.NoRoute(480, "Temporarily Unavailable"), resolver().resolve("2003", trunk("carrier")));
            assertEquals(1, security.lines("SECURITY registered-on-other-node number=2003 node=sip9").size(),
                    security.lines("SECURITY").toString());
        }
    }

    @Test
    void aCallFromAnotherNodeGoesOnlyToPhonesHeldHere() throws Exception {
        Peer.Trunk node = trunk("to-sip1");
        assertInstanceOf(Peer.Device.class, assertInstanceOf(Target.class, resolver().resolve("2001", node)).peer());
        try (SecurityLog security = new SecurityLog()) {
            assertEquals(new Routing.NoRoute(480, "Temporarily Unavailable"), resolver().resolve("2002", node),
                    "a hop never hops again");
            assertEquals(1, security.lines("reason=\"called from another node\"").size(), security.lines("SECURITY").toString());
        }
        assertEquals(new Routing.NoRoute(404, "Not Found"), resolver().resolve("9123", node),
                "a node's hop is not a way out through this node's trunks");
    }
}
