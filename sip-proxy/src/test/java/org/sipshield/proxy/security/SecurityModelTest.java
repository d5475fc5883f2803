package org.sipshield.proxy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;

/** The config turned into look-ups once per load: trunks by port, transport and address; devices by number and name. */
class SecurityModelTest {
    static final String YAML = """
            sipTrunkSecurityProfiles:
              - {name: Carrier, incomingPort: 5060, outgoingTransportType: UDP}
              - {name: Digest carrier, incomingPort: 5060, outgoingTransportType: UDP, enableDigestAuthentication: true}
            sipTrunks:
              - {name: carrier, securityProfile: Carrier, destinations: ["127.0.0.2:5060"]}
              - {name: other, securityProfile: Digest carrier, destinations: ["127.0.0.3:5060"]}
            phoneSecurityProfiles:
              - {name: Digest phones, transportType: TCP+UDP, enableDigestAuthentication: true}
            endUsers:
              - userId: alice
                digestCredentials: {MD5: %s}
            phones:
              - {deviceName: SEPALICE00001, securityProfile: Digest phones, digestUser: alice, lines: ["2001", "2002"]}
            """.formatted(TestModels.ha1("alice", "ccmsipline", "secret"));

    @Test
    void aTrunkIsFoundByItsListeningPortTransportAndAddressOnly() throws Exception {
        SecurityModel model = TestModels.model(YAML);
        List<Peer.Trunk> carrier = model.trunkCandidates(5060, Transport.UDP, InetAddress.getByName("127.0.0.2"));
        assertEquals(1, carrier.size());
        assertEquals("carrier", carrier.get(0).trunk().name());
        assertTrue(model.trunkCandidates(5060, Transport.UDP, InetAddress.getByName("127.0.0.9")).isEmpty());
        assertTrue(model.trunkCandidates(5999, Transport.UDP, InetAddress.getByName("127.0.0.2")).isEmpty());
    }

    @Test
    void aDeviceIsFoundByEachOfItsLinesAndByName() throws Exception {
        SecurityModel model = TestModels.model(YAML);
        assertEquals("SEPALICE00001", model.deviceByNumber("2002").orElseThrow().deviceName());
        assertEquals(List.of("2001", "2002"), model.deviceByName("SEPALICE00001").orElseThrow().directoryNumbers());
        assertTrue(model.deviceByNumber("2003").isEmpty());
    }

    @Test
    void digestIsBuiltOncePerProfileThatEnablesIt() throws Exception {
        SecurityModel model = TestModels.model(YAML);
        var phones = model.profileOf(model.deviceByNumber("2001").orElseThrow());
        assertTrue(model.digest().forPhoneProfile(phones).isPresent());
        assertSame(model.digest().forPhoneProfile(phones).get(), model.digest().forPhoneProfile(phones).get(),
                "one authenticator per profile, never one per request");
        assertTrue(model.digest().forTrunkProfile(model.profileOf(model.trunk("carrier").orElseThrow())).isEmpty());
        assertTrue(model.digest().forTrunkProfile(model.profileOf(model.trunk("other").orElseThrow())).isPresent());
    }
}
