package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * Calls through the real proxy between real sipp peers on loopback addresses: a phone
 * (127.0.0.1, digest) and trunks (the carrier at 127.0.0.2, a PBX at 127.0.0.3, a dead host
 * at 127.0.0.4).
 */
class B2buaCallTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final String DEAD = "127.0.0.4";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int carrierPort = FreePorts.udpAndTcp();
    static int pbxPort = FreePorts.udpAndTcp();
    static int deadPort = FreePorts.udpAndTcp();

    static ProxyFixture fixture() {
        String phones = "Standard SIP Secure Profile";
        return new ProxyFixture()
                .nonSecureTrunk("carrier", CARRIER, carrierPort)
                .trunkProfile("Non Secure TCP Trunk Profile", "deviceSecurityMode: Non Secure",
                        "incomingTransportType: TCP+UDP", "outgoingTransportType: TCP", "transmitSecurityStatus: true")
                .nonSecureTrunk("pbx", PBX, pbxPort)
                .trunk("pbx-via-backup", "Non Secure TCP Trunk Profile", List.of(DEAD + ":" + deadPort, PBX + ":" + pbxPort))
                .route("9!", "carrier").route("8!", "pbx").route("7!", "pbx-via-backup")
                .phoneProfile("{name: " + phones + ", deviceSecurityMode: Non Secure, transportType: TCP+UDP, "
                        + "enableDigestAuthentication: true}")
                .alicePhone(phones)
                .endUser("bob", ProxyFixture.PHONE_REALM, "bob-secret")
                .phone("{deviceName: SEPBOB0000002, securityProfile: " + phones + ", digestUser: bob, lines: [\"2002\"]}")
                // never registers: its line is configured and unreachable
                .endUser("carol", ProxyFixture.PHONE_REALM, "carol-secret")
                .phone("{deviceName: SEPCAROL00003, securityProfile: " + phones + ", digestUser: carol, lines: [\"2003\"]}");
    }

    /** The configuration text (other tests run their proxies on it too). */
    static String model() {
        return fixture().extraYaml();
    }

    @BeforeAll
    static void start() throws Exception {
        proxy = fixture().start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    static Map<String, String> alice(String called) {
        return Map.of("caller", "2001", "called", called, "user", "alice", "password", "alice-secret");
    }

    @Test
    void registeredPhoneCallsOutThroughTheCarrierAndNothingOfLegATopologyReachesLegB() {
        int phonePort = FreePorts.udpAndTcp();
        ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort, "expect", "200"),
                "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());

        try (Sipp.Server carrier = Sipp.server("uas-call.xml", Map.of(), "udp", CARRIER, carrierPort)) {
            ProcessOutput call = Sipp.client("uac-call-auth.xml", alice("9123"), "udp", "127.0.0.1", "127.0.0.1",
                    proxy.sipPort, "-p", Integer.toString(phonePort));
            ProcessOutput legB = carrier.finish();
            assertEquals(0, call.exitCode(), call.output() + "\ncarrier:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());

            String invite = firstInvite(legB.output());
            assertTrue(invite.contains("INVITE sip:9123@" + CARRIER), invite);
            assertTrue(invite.contains("\"Leg A Caller\" <sip:2001@127.0.0.1>"), invite);
            assertFalse(invite.contains("leg-a-"), "leg A's Call-ID crossed over:\n" + invite);
            assertFalse(invite.contains(":" + phonePort), "the phone's port crossed over:\n" + invite);
            assertFalse(invite.contains("Proxy-Authorization"), "the phone's credentials crossed over:\n" + invite);
            assertFalse(invite.contains("SIPpTag00"), "leg A's From tag crossed over:\n" + invite);
        }
    }

    @Test
    void aDigestPhoneReachesAnotherRegisteredPhoneAtItsContact() {
        int bobPort = FreePorts.udpAndTcp();
        ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2002", "user", "bob",
                "password", "bob-secret", "contact", "sip:2002@127.0.0.1:" + bobPort, "expect", "200"),
                "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());
        try (Sipp.Server bob = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.1", bobPort)) {
            ProcessOutput call = Sipp.client("uac-call-auth.xml", alice("2002"), "udp", "127.0.0.1", "127.0.0.1",
                    proxy.sipPort);
            ProcessOutput atBob = bob.finish();
            assertEquals(0, call.exitCode(), call.output() + "\nbob:\n" + atBob.output());
            assertEquals(0, atBob.exitCode(), atBob.output());
        }
    }

    @Test
    void aRequiredExtensionWeDoNotImplementGets420() {
        ProcessOutput call = Sipp.client("uac-request.xml", Map.of("method", "INVITE", "caller", "5550100",
                "called", "8100", "expect", "420", "headers", "Require: 100rel"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
        assertEquals(0, call.exitCode(), call.output());
        assertTrue(call.output().contains("Unsupported: 100rel"), call.output());
    }

    @Test
    void calleeHangsUpAndTheByeReachesTheCaller() {
        try (Sipp.Server pbx = Sipp.server("uas-call-hangup.xml", Map.of(), "udp", PBX, pbxPort)) {
            ProcessOutput call = Sipp.client("uac-call-remote-bye.xml", Map.of("caller", "5550100", "called", "8100"),
                    "udp", CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = pbx.finish();
            assertEquals(0, call.exitCode(), call.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
        }
    }

    @Test
    void cancelBeforeAnswerCancelsTheOtherLeg() {
        try (Sipp.Server pbx = Sipp.server("uas-ring-cancel.xml", Map.of(), "udp", PBX, pbxPort)) {
            ProcessOutput call = Sipp.client("uac-cancel.xml", Map.of("caller", "5550100", "called", "8200"),
                    "udp", CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = pbx.finish();
            assertEquals(0, call.exitCode(), call.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
        }
    }

    @Test
    void cancellingAReInviteCancelsOnlyThatReInviteAndTheCallGoesOn() {
        // RFC 3261 9.2: a CANCEL names one INVITE transaction; matched by Call-ID alone it was taken
        // for the call's first INVITE and the re-INVITE on the other leg rang on unanswered.
        try (Sipp.Server pbx = Sipp.server("uas-reinvite-ring-cancel.xml", Map.of(), "udp", PBX, pbxPort)) {
            ProcessOutput call = Sipp.client("uac-reinvite-cancel.xml", Map.of("caller", "5550100", "called", "8200"),
                    "udp", CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = pbx.finish();
            assertEquals(0, call.exitCode(), call.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
        }
    }

    @Test
    void aDeadFirstDestinationIsSkippedForTheNextOneAndTheSecurityStatusIsTransmitted() {
        try (Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "tcp", PBX, pbxPort)) {
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "7300"),
                    "udp", CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = pbx.finish();
            assertEquals(0, call.exitCode(), call.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            // the profile of this trunk transmits the security status: UDP signaling, RTP media
            assertTrue(firstInvite(legB.output()).contains("Call-Info: <urn:X-cisco-remotecc:callinfo>;security=NotAuthenticated"),
                    legB.output());
        }
    }

    @Test
    void anUnroutableNumberGets404AndAnUnregisteredLine480() {
        ProcessOutput unroutable = Sipp.client("uac-request.xml", Map.of("method", "MESSAGE", "caller", "5550100",
                "called", "4444", "expect", "404"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
        assertEquals(0, unroutable.exitCode(), unroutable.output());
        ProcessOutput unregistered = Sipp.client("uac-request.xml", Map.of("method", "MESSAGE", "caller", "5550100",
                "called", "2003", "expect", "480"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
        assertEquals(0, unregistered.exitCode(), unregistered.output());
    }

    private static String firstInvite(String trace) {
        int start = trace.indexOf("INVITE sip:");
        assertTrue(start >= 0, "no INVITE reached the far end:\n" + trace);
        int end = trace.indexOf("\n\n", start);
        return trace.substring(start, end < 0 ? trace.length() : end);
    }
}
