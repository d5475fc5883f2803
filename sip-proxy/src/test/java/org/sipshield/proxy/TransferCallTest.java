package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * Call transfer between a carrier and phones, with sipp on every side. Alice's phone (2001, digest)
 * takes a carrier's call (127.0.0.2) and transfers it to Carol's phone (2002): blind, with a
 * Refer-To naming her PBX's domain, which the carrier could never reach, and attended, naming her
 * consultation call with Carol in a Replaces. The carrier's REFER must name us, its sipfrag NOTIFYs
 * must reach Alice in her dialog, and its new call must reach Carol and, attended, take the place of
 * the consultation call (which the proxy ends with BYE on both legs). The carrier transfers Alice the
 * same way, to Carol with whom it consulted: Alice gets the grant and replaces its call. From the attacker's side: a
 * second carrier (127.0.0.4) that learnt the consultation call's identifiers cannot replace it, the
 * carrier cannot REFER Alice to replace a call of hers it has no part in, and a carrier whose
 * profile refuses Replaces (127.0.0.3) cannot make a phone send one by REFER.
 */
class TransferCallTest {
    static final String CARRIER = "127.0.0.2";
    static final String NO_REPLACES_CARRIER = "127.0.0.3";
    static final String OTHER_CARRIER = "127.0.0.4";
    static final Pattern PROXY_URI = Pattern.compile("<sip:([^@>]+)@([^:;?>]+):(\\d+)[^?>]*(?:\\?Replaces=([^>]+))?>");

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int carrierPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture()
                .yaml("security: {challengeInDialog: []}\n")
                .trunkProfile("Transfers", "deviceSecurityMode: Non Secure", "incomingTransportType: TCP+UDP",
                        "acceptReplacesHeader: true")
                .trunkProfile("No Replaces", "deviceSecurityMode: Non Secure", "incomingTransportType: TCP+UDP")
                .trunk("carrier", "Transfers", CARRIER, carrierPort)
                .trunk("other-carrier", "Transfers", OTHER_CARRIER, 5060)
                .trunk("no-replaces", "No Replaces", NO_REPLACES_CARRIER, 5060)
                .route("9!", "carrier")
                .phoneProfile("{name: Digest phones, enableDigestAuthentication: true}")
                .phoneProfile("{name: Open phones, deviceSecurityMode: Non Secure, transportType: TCP+UDP}")
                .alicePhone("Digest phones")
                .phone("{deviceName: SEPCAROL00001, securityProfile: Open phones, lines: [\"2002\"]}")
                .start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    static void register(String scenario, String dn, int port, String... credentials) {
        Map<String, String> variables = Sipp.variables("dn", dn, "contact", "sip:" + dn + "@127.0.0.1:" + port, "expect", "200");
        if (credentials.length == 2) {
            variables.put("user", credentials[0]);
            variables.put("password", credentials[1]);
        }
        ProcessOutput register = Sipp.client(scenario, variables, "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());
    }

    static void registerAlice(int port) {
        register("register.xml", "2001", port, "alice", "alice-secret");
    }

    static void registerCarol(int port) {
        register("register-open.xml", "2002", port);
    }

    /** Waits (bounded) until the sipp peer has received a message starting with {@code start}, and returns it. */
    static String awaitReceived(Sipp.Server peer, String start) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            var found = Sipp.tracedMessages(peer.messages(), true).stream().filter(m -> m.startsWith(start)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (!peer.process().isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + start + " reached the peer:\n" + peer.messages());
    }

    static List<String> header(String message, String name) {
        return IdentityHeadersCallTest.header(message, name);
    }

    /** The Refer-To the carrier was given: it must name us, on the listener the carrier reaches us at. */
    static Matcher referToNamingUs(String refer) {
        String referTo = header(refer, "Refer-To").get(0);
        Matcher uri = PROXY_URI.matcher(referTo);
        assertTrue(uri.find(), "Refer-To is not a SIP URI with a port:\n" + refer);
        assertEquals("127.0.0.1", uri.group(2), "the Refer-To must name the proxy, the only one the carrier reaches:\n" + refer);
        assertEquals(proxy.sipPort, Integer.parseInt(uri.group(3)), refer);
        return uri;
    }

    @Test
    void aPhoneTransfersTheCarriersCallBlindToAnotherPhone() throws Exception {
        int alicePort = FreePorts.udpAndTcp();
        int carolPort = FreePorts.udpAndTcp();
        registerAlice(alicePort);
        registerCarol(carolPort);
        try (Sipp.Server carol = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", carolPort);
                Sipp.Server alice = Sipp.server("uas-transferor.xml", Map.of("dn", "2001",
                        "referTo", "<sip:2002@pbx.example>"), "udp", "127.0.0.1", alicePort);
                Sipp.Server carrier = Sipp.startClient("uac-transferee.xml", Map.of("caller", "5550100", "called", "2001"),
                        "udp", CARRIER, "127.0.0.1", proxy.sipPort)) {
            String refer = awaitReceived(carrier, "REFER ");
            Matcher referTo = referToNamingUs(refer);
            assertEquals("2002", referTo.group(1), refer);
            assertFalse(refer.contains("pbx.example") || refer.contains("phone.example"), "the phone's domain crossed:\n" + refer);
            assertEquals(List.of("<sip:2001@127.0.0.1>"), header(refer, "Referred-By"),
                    "an authenticated phone is named by its own number:\n" + refer);

            ProcessOutput transferred = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", referTo.group(1)),
                    "udp", CARRIER, referTo.group(2), Integer.parseInt(referTo.group(3)));
            assertEquals(0, transferred.exitCode(), "the carrier's new call to the Refer-To:\n" + transferred.output());
            ProcessOutput carolSide = carol.finish();
            assertEquals(0, carolSide.exitCode(), carolSide.output());
            assertTrue(header(invite(carolSide.output()), "From").get(0).contains("sip:5550100@"), carolSide.output());

            ProcessOutput aliceSide = alice.finish();
            ProcessOutput carrierSide = carrier.finish();
            assertEquals(0, aliceSide.exitCode(), aliceSide.output() + "\ncarrier:\n" + carrierSide.output());
            assertEquals(0, carrierSide.exitCode(), carrierSide.output());
            List<String> notifies = Sipp.tracedMessages(aliceSide.output(), true).stream()
                    .filter(m -> m.startsWith("NOTIFY ")).distinct().toList();
            assertEquals(2, notifies.size(), aliceSide.output());
            assertTrue(notifies.get(0).contains("SIP/2.0 100 Trying") && notifies.get(0).contains("Event: refer"), notifies.get(0));
            assertTrue(notifies.get(1).contains("SIP/2.0 200 OK") && notifies.get(1).contains("terminated"), notifies.get(1));
        }
        awaitNoCalls();
    }

    @Test
    void aPhoneTransfersTheCarriersCallToItsConsultationCallWhichIsReplaced() throws Exception {
        int alicePort = FreePorts.udpAndTcp();
        int carolPort = FreePorts.udpAndTcp();
        registerAlice(alicePort);
        registerCarol(carolPort);
        try (Sipp.Server carol = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", carolPort, "-m", "2");
                Sipp.Server consultation = Sipp.startClient("uac-call-auth-await-bye.xml", Map.of("caller", "2001",
                        "called", "2002", "user", "alice", "password", "alice-secret"), "udp", "127.0.0.1", "127.0.0.1",
                        proxy.sipPort)) {
            String consultationAtCarol = awaitReceived(carol, "ACK ");
            String answer = awaitReceived(consultation, "SIP/2.0 200");
            String replaces = dialogAsTransferorNamesIt(consultation, answer);
            try (Sipp.Server alice = Sipp.server("uas-transferor.xml", Map.of("dn", "2001", "referTo",
                    "<sip:2002@pbx.example?Replaces=" + escaped(replaces) + ">"), "udp", "127.0.0.1", alicePort);
                    Sipp.Server carrier = Sipp.startClient("uac-transferee.xml", Map.of("caller", "5550100", "called", "2001"),
                            "udp", CARRIER, "127.0.0.1", proxy.sipPort)) {
                String refer = awaitReceived(carrier, "REFER ");
                Matcher referTo = referToNamingUs(refer);
                String given = referTo.group(4);
                assertTrue(given != null, "the Replaces must reach the referee:\n" + refer);
                String alias = URLDecoder.decode(given, StandardCharsets.UTF_8);
                String legACallId = replaces.substring(0, replaces.indexOf(';'));
                assertFalse(refer.contains(legACallId) || alias.contains(legACallId),
                        "the consultation call's identifiers on Alice's leg crossed to the carrier:\n" + refer);

                ProcessOutput transferred = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", referTo.group(1),
                        "headers", "Replaces: " + alias), "udp", CARRIER, referTo.group(2), Integer.parseInt(referTo.group(3)));
                assertEquals(0, transferred.exitCode(), "the carrier's INVITE with Replaces:\n" + transferred.output());
                ProcessOutput consulted = consultation.finish();
                assertEquals(0, consulted.exitCode(), "the replaced consultation call must end with a BYE to Alice:\n"
                        + consulted.output());
                ProcessOutput carolSide = carol.finish();
                assertEquals(0, carolSide.exitCode(), "Carol's two calls must both end with BYE:\n" + carolSide.output());
                List<String> invites = Sipp.tracedMessages(carolSide.output(), true).stream()
                        .filter(m -> m.startsWith("INVITE ")).distinct().toList();
                assertEquals(2, invites.size(), carolSide.output());
                String consultationCallId = header(consultationAtCarol, "Call-ID").get(0);
                List<String> replacing = header(invites.get(1), "Replaces");
                assertEquals(1, replacing.size(), invites.get(1));
                assertTrue(replacing.get(0).startsWith(consultationCallId + ";"),
                        "Carol must be told which of her calls the new one replaces, as she knows it:\n" + invites.get(1));
                assertEquals(0, alice.finish().exitCode());
                assertEquals(0, carrier.finish().exitCode());
            }
        }
        awaitNoCalls();
    }

    @Test
    void theCarrierTransfersAliceToCarolReplacingItsConsultationCallWithCarol() throws Exception {
        int alicePort = FreePorts.udpAndTcp();
        int carolPort = FreePorts.udpAndTcp();
        registerAlice(alicePort);
        registerCarol(carolPort);
        try (Sipp.Server carol = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", carolPort, "-m", "2");
                Sipp.Server consultation = Sipp.startClient("uac-call-await-bye.xml", Map.of("caller", "5550100",
                        "called", "2002"), "udp", CARRIER, "127.0.0.1", proxy.sipPort)) {
            String consultationAtCarol = awaitReceived(carol, "ACK ");
            String replaces = dialogAsTransferorNamesIt(consultation, awaitReceived(consultation, "SIP/2.0 200"));
            try (Sipp.Server alice = Sipp.server("uas-transferee.xml", Map.of("dn", "2001"), "udp", "127.0.0.1", alicePort);
                    Sipp.Server carrier = Sipp.startClient("uac-call-transfer.xml", Map.of("caller", "5550100", "called",
                            "2001", "referTo", "<sip:2002@carrier.example?Replaces=" + escaped(replaces) + ">"), "udp",
                            CARRIER, "127.0.0.1", proxy.sipPort)) {
                String refer = awaitReceived(alice, "REFER ");
                Matcher referTo = referToNamingUs(refer);
                assertTrue(referTo.group(4) != null, "the Replaces must reach Alice:\n" + refer);
                String alias = URLDecoder.decode(referTo.group(4), StandardCharsets.UTF_8);
                assertFalse(refer.contains(replaces.substring(0, replaces.indexOf(';'))),
                        "the carrier's Call-ID crossed to Alice:\n" + refer);

                ProcessOutput transferred = Sipp.client("uac-call-auth-hangup.xml", Map.of("caller", "2001", "called",
                        referTo.group(1), "user", "alice", "password", "alice-secret", "headers", "Replaces: " + alias),
                        "udp", "127.0.0.1", referTo.group(2), Integer.parseInt(referTo.group(3)));
                assertEquals(0, transferred.exitCode(), "Alice's INVITE with Replaces:\n" + transferred.output());
                assertEquals(0, consultation.finish().exitCode(), "the replaced consultation call ends with a BYE to the carrier");
                ProcessOutput carolSide = carol.finish();
                assertEquals(0, carolSide.exitCode(), carolSide.output());
                List<String> invites = Sipp.tracedMessages(carolSide.output(), true).stream()
                        .filter(m -> m.startsWith("INVITE ")).distinct().toList();
                assertTrue(header(invites.get(1), "From").get(0).contains("sip:2001@"), invites.get(1));
                assertTrue(header(invites.get(1), "Replaces").get(0).startsWith(
                        header(consultationAtCarol, "Call-ID").get(0) + ";"), invites.get(1));
                ProcessOutput carrierSide = carrier.finish();
                assertEquals(0, carrierSide.exitCode(), carrierSide.output());
                assertEquals(0, alice.finish().exitCode());
            }
        }
        awaitNoCalls();
    }

    @Test
    void aCarrierThatLearntTheIdentifiersOfSomeoneElsesCallCannotReplaceIt() throws Exception {
        int carolPort = FreePorts.udpAndTcp();
        registerCarol(carolPort);
        try (Sipp.Server carol = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", carolPort, "-m", "2");
                Sipp.Server consultation = Sipp.startClient("uac-call-auth-await-bye.xml", Map.of("caller", "2001",
                        "called", "2002", "user", "alice", "password", "alice-secret"), "udp", "127.0.0.1", "127.0.0.1",
                        proxy.sipPort)) {
            awaitReceived(carol, "ACK ");
            String answer = awaitReceived(consultation, "SIP/2.0 200");
            String replaces = dialogAsTransferorNamesIt(consultation, answer);
            ProcessOutput hijack = Sipp.client("uac-invite-expect.xml", Map.of("caller", "5550199", "called", "2002",
                    "answer", "403", "headers", "Replaces: " + replaces), "udp", OTHER_CARRIER, "127.0.0.1", proxy.sipPort);
            assertEquals(0, hijack.exitCode(), "a Replaces naming a call of others must get 403:\n" + hijack.output());
            ProcessOutput unknown = Sipp.client("uac-invite-expect.xml", Map.of("caller", "5550199", "called", "2002",
                    "answer", "481", "headers", "Replaces: no-such-call;to-tag=1;from-tag=2"), "udp", OTHER_CARRIER,
                    "127.0.0.1", proxy.sipPort);
            assertEquals(0, unknown.exitCode(), "a Replaces naming no dialog of ours gets 481:\n" + unknown.output());
            assertEquals(1, Sipp.tracedMessages(carol.messages(), true).stream().filter(m -> m.startsWith("INVITE "))
                    .distinct().count(), "nothing reached Carol:\n" + carol.messages());
            assertEquals(1, proxy.server.activeCalls(), "the consultation call is still up");

            // Alice herself may: she is party to the call (here, she takes it over from another of her devices)
            ProcessOutput own = Sipp.client("uac-call-auth-hangup.xml", Map.of("caller", "2001", "called", "2002",
                    "user", "alice", "password", "alice-secret", "headers", "Replaces: " + replaces),
                    "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
            assertEquals(0, own.exitCode(), own.output());
            assertEquals(0, consultation.finish().exitCode(), "the replaced call ends with a BYE to Alice");
            assertEquals(0, carol.finish().exitCode(), carol.messages());
        }
        awaitNoCalls();
    }

    /** The carrier asks Alice, its call's party, to replace a call of Alice's with Carol: not the carrier's to give. */
    @Test
    void aReferWhoseReplacesNamesACallOfOthersIsRefusedAndThatCallStaysUp() throws Exception {
        int alicePort = FreePorts.udpAndTcp();
        int carolPort = FreePorts.udpAndTcp();
        registerAlice(alicePort);
        registerCarol(carolPort);
        try (Sipp.Server carol = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", carolPort, "-m", "2");
                Sipp.Server alicesCall = Sipp.startClient("uac-call-auth-await-bye.xml", Map.of("caller", "2001",
                        "called", "2002", "user", "alice", "password", "alice-secret"), "udp", "127.0.0.1", "127.0.0.1",
                        proxy.sipPort)) {
            awaitReceived(carol, "ACK ");
            String replaces = dialogAsTransferorNamesIt(alicesCall, awaitReceived(alicesCall, "SIP/2.0 200"));
            try (Sipp.Server alice = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", alicePort)) {
                ProcessOutput refer = Sipp.client("uac-call-refer.xml", Map.of("caller", "5550100", "called", "2001",
                        "referTo", "<sip:2002@carrier.example?Replaces=" + escaped(replaces) + ">", "expect", "403"),
                        "udp", CARRIER, "127.0.0.1", proxy.sipPort);
                ProcessOutput aliceSide = alice.finish();
                assertEquals(0, refer.exitCode(), refer.output() + "\nalice:\n" + aliceSide.output());
                assertTrue(Sipp.tracedMessages(aliceSide.output(), true).stream().noneMatch(m -> m.startsWith("REFER ")),
                        aliceSide.output());
            }
            assertEquals(1, proxy.server.activeCalls(), "Alice's call with Carol is still up");
            ProcessOutput own = Sipp.client("uac-call-auth-hangup.xml", Map.of("caller", "2001", "called", "2002",
                    "user", "alice", "password", "alice-secret", "headers", "Replaces: " + replaces),
                    "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
            assertEquals(0, own.exitCode(), own.output());
            assertEquals(0, alicesCall.finish().exitCode());
            assertEquals(0, carol.finish().exitCode(), carol.messages());
        }
        awaitNoCalls();
    }

    @Test
    void aCarrierWhoseProfileRefusesReplacesCannotReferWithOne() throws Exception {
        int alicePort = FreePorts.udpAndTcp();
        registerAlice(alicePort);
        try (Sipp.Server alice = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", alicePort)) {
            ProcessOutput refer = Sipp.client("uac-call-refer.xml", Map.of("caller", "5550100", "called", "2001",
                    "referTo", "<sip:2002@127.0.0.1?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>", "expect", "403"),
                    "udp", NO_REPLACES_CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput aliceSide = alice.finish();
            assertEquals(0, refer.exitCode(), refer.output() + "\nalice:\n" + aliceSide.output());
            assertTrue(Sipp.tracedMessages(aliceSide.output(), true).stream().noneMatch(m -> m.startsWith("REFER ")),
                    aliceSide.output());
        }
        awaitNoCalls();
    }

    /** Waits (bounded) for every call to have ended: the last BYEs may still be crossing. */
    static void awaitNoCalls() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (proxy.server.activeCalls() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, proxy.server.activeCalls(), "calls up");
    }

    /** A consultation dialog as its caller, the transferor, names it (RFC 3891: to-tag ours, the far end's; from-tag its own). */
    static String dialogAsTransferorNamesIt(Sipp.Server consultation, String answer) {
        String invite = Sipp.tracedMessages(consultation.messages(), false).stream().filter(m -> m.startsWith("INVITE "))
                .reduce((first, second) -> second).orElseThrow();
        return header(invite, "Call-ID").get(0) + ";to-tag=" + tag(header(answer, "To").get(0)) + ";from-tag="
                + tag(header(invite, "From").get(0));
    }

    static String tag(String header) {
        Matcher tag = Pattern.compile(";tag=([^;>\\s]+)").matcher(header);
        assertTrue(tag.find(), header);
        return tag.group(1);
    }

    static String escaped(String value) {
        return value.replace("%", "%25").replace(";", "%3B").replace("=", "%3D").replace("@", "%40");
    }

    static String invite(String trace) {
        return IdentityHeadersCallTest.invite(trace);
    }
}
