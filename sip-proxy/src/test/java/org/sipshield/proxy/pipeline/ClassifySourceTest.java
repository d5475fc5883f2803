package org.sipshield.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.pipeline.StepFixture.arriving;
import static org.sipshield.proxy.pipeline.StepFixture.text;

import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.tls.CertificateChainValidator;

/** Who is speaking: a trunk by its address, a phone by its number and where it registered, anybody else refused. */
class ClassifySourceTest {
    static String yaml(String unknownSource) {
        return """
                security:
                  unknownSource: %s
                sipTrunkSecurityProfiles:
                  - {name: Carrier, incomingPort: 5060, outgoingTransportType: UDP}
                sipTrunks:
                  - {name: carrier, securityProfile: Carrier, destinations: ["127.0.0.2:5060"]}
                phoneSecurityProfiles:
                  - {name: Plain phones, transportType: TCP+UDP}
                phones:
                  - {deviceName: SEP000000002002, securityProfile: Plain phones, lines: ["2002"]}
                """.formatted(unknownSource);
    }

    static ClassifySource classify(SecurityModel model, String registeredFrom) {
        return new ClassifySource(() -> model,
                (device, source) -> source.getAddress().getHostAddress().equals(registeredFrom),
                new CertificateChainValidator(java.util.List::of, StepFixture.CLOCK));
    }

    @Test
    void aTrunkIsKnownByItsAddressAndAPhoneByItsNumberFromWhereItRegistered() throws Exception {
        SecurityModel model = StepFixture.model(yaml("REJECT_403"));
        InboundRequest fromCarrier = arriving("INVITE", "5550100", "127.0.0.2");
        assertTrue(classify(model, "192.0.2.50").apply(fromCarrier).proceeds());
        assertInstanceOf(Peer.Trunk.class, fromCarrier.peer());

        InboundRequest fromPhone = arriving("INVITE", "2002", "192.0.2.50");
        assertTrue(classify(model, "192.0.2.50").apply(fromPhone).proceeds());
        assertInstanceOf(Peer.Device.class, fromPhone.peer());
    }

    @Test
    void aPhoneNumberFromElsewhereAndAStrangerAreRefusedOrDroppedAsConfigured() throws Exception {
        SecurityModel rejecting = StepFixture.model(yaml("REJECT_403"));
        assertEquals(403, classify(rejecting, "192.0.2.50").apply(arriving("FROBNICATE", "5550100", "192.0.2.66")).status());
        SecurityModel dropping = StepFixture.model(yaml("DROP"));
        assertEquals(Verdict.Kind.DROP, classify(dropping, "192.0.2.50").apply(arriving("INVITE", "2002", "192.0.2.66")).kind());
        assertEquals(Verdict.Kind.DROP, classify(dropping, "192.0.2.50")
                .apply(arriving(text("OPTIONS", "sip:127.0.0.1", "x", null, ""), Transport.UDP, "192.0.2.66")).kind());
    }

    @Test
    void underRejectAStrangersPingGoesOnAsAnUnknownPeerForThePingStepToAnswer() throws Exception {
        SecurityModel rejecting = StepFixture.model(yaml("REJECT_403"));
        InboundRequest ping = arriving(text("OPTIONS", "sip:127.0.0.1", "x", null, ""), Transport.UDP, "192.0.2.66");
        assertTrue(classify(rejecting, "192.0.2.50").apply(ping).proceeds());
        assertInstanceOf(Peer.Unknown.class, ping.peer());
    }
}
