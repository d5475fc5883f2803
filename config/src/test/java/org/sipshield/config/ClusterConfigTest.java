package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** cluster.nodes: each node and the mutual-TLS trunk that reaches it; every problem listed. */
class ClusterConfigTest {
    private static final String BASE = """
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
              - {transport: TLS, address: 127.0.0.1, port: 5061}
            sipTrunkSecurityProfiles:
              - {name: Hop to sip1, deviceSecurityMode: Encrypted, incomingPort: 5061, incomingTransportType: TLS,
                 outgoingTransportType: TLS, secureCertificateSubjectOrSubjectAlternateName: sip1.cluster.example}
              - {name: Plain, deviceSecurityMode: Non Secure, incomingPort: 5060}
            sipTrunks:
              - {name: to-sip1, securityProfile: Hop to sip1, destinations: ["192.0.2.1:5061"]}
              - {name: carrier, securityProfile: Plain, destinations: ["192.0.2.9:5060"]}
            """;
    private static final String SHARED = "database: {url: \"jdbc:postgresql://db.example.net/sipshield\"}\n";

    @Test
    void withoutTheSectionThereIsNoHop() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE, "t.yaml");
        assertEquals(ClusterSettings.none(), config.cluster());
        assertFalse(config.cluster().isNodeTrunk("to-sip1"));
    }

    @Test
    void eachNodeIsReachedThroughItsTrunk() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(SHARED + BASE + """
                cluster:
                  nodes:
                    sip1: {trunk: to-sip1}
                """, "t.yaml");
        assertEquals(new ClusterSettings(Map.of("sip1", "to-sip1")), config.cluster());
        assertEquals("to-sip1", config.cluster().trunkOf("sip1").orElseThrow());
        assertTrue(config.cluster().isNodeTrunk("to-sip1"));
        assertFalse(config.cluster().isNodeTrunk("carrier"));
    }

    @Test
    void everyProblemIsListed() {
        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigLoader.parse(BASE + """
                cluster:
                  nodes:
                    "sip 2": {trunk: to-sip1}
                    sip3: {trunk: nowhere}
                    sip4: {trunk: carrier}
                    sip5: {}
                    sip6: {trunk: to-sip1, address: 192.0.2.6}
                """, "t.yaml"));
        String message = refused.getMessage();
        List<String> paths = refused.problems().stream().map(ConfigProblem::path).toList();
        assertTrue(paths.containsAll(List.of("cluster.nodes.sip 2", "cluster.nodes.sip3.trunk", "cluster.nodes.sip4.trunk",
                "cluster.nodes.sip5.trunk", "cluster.nodes.sip6.address", "cluster.nodes")), message);
        assertTrue(message.contains("no SIP trunk is named 'nowhere'"), message);
        assertTrue(message.contains("trunk 'carrier' is not TLS both ways"), message);
        assertTrue(message.contains("a cluster needs its bindings shared"), message);
    }
}
