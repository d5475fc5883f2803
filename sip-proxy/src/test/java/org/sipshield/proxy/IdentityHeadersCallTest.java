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
 * Identity and redirection headers between legs, with sipp on both sides and the far end's trace
 * showing what crossed: a trusted carrier (127.0.0.2, assertedIdentity) and an untrusted one
 * (127.0.0.3) call a trusted PBX (127.0.0.4) and an untrusted one (127.0.0.6); a digest phone
 * (127.0.0.1) calls the trusted PBX with a forged assertion. The same phone, registered with a
 * Contact that has no port, is called by the trusted carrier at its profile's SIP Phone Port, and
 * learns the asserted caller but not the carrier's signature. The connected party's identity in
 * the 180 and 200 answers goes back under the same rules, the caller's trace showing what crossed,
 * and so does the answerer's identity in the 200 to a re-INVITE.
 */
class IdentityHeadersCallTest {
    static final String TRUSTED_CARRIER = "127.0.0.2";
    static final String UNTRUSTED_CARRIER = "127.0.0.3";
    static final String TRUSTED_PBX = "127.0.0.4";
    static final String UNTRUSTED_PBX = "127.0.0.6";
    static final String SIGNATURE = "eyJhbGciOiJFUzI1NiJ9.eyJvcmlnIjp7fX0.c2lnbmF0dXJl;info=<https://cert.example/c.pem>;alg=ES256;ppt=shaken";
    static final String CALLER_HEADERS = String.join("\n",
            "P-Asserted-Identity: \"Alice\" <sip:+15551234@carrier.example>",
            "Diversion: <sip:2002@pbx.example>;reason=no-answer;counter=1",
            "History-Info: <sip:2002@pbx.example>;index=1",
            "Identity: " + SIGNATURE);

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int trustedPbxPort = FreePorts.udpAndTcp();
    static int untrustedPbxPort = FreePorts.udpAndTcp();
    static int sipPhonePort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture()
                .nonSecureTrunk("trusted-carrier", TRUSTED_CARRIER, 5060, "assertedIdentity: true")
                .nonSecureTrunk("untrusted-carrier", UNTRUSTED_CARRIER, 5060)
                .nonSecureTrunk("trusted-pbx", TRUSTED_PBX, trustedPbxPort, "assertedIdentity: true")
                .nonSecureTrunk("untrusted-pbx", UNTRUSTED_PBX, untrustedPbxPort)
                .route("8!", "trusted-pbx").route("9!", "untrusted-pbx")
                .phoneProfile("{name: Digest phones, deviceSecurityMode: Non Secure, transportType: TCP+UDP, "
                        + "enableDigestAuthentication: true, sipPhonePort: " + sipPhonePort + "}")
                .alicePhone("Digest phones")
                .start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** The INVITE the far end received when {@code from} called {@code called} with {@code headers}. */
    static String inviteAtFarEnd(String from, String caller, String called, String headers) {
        boolean trusted = called.startsWith("8");
        try (Sipp.Server far = Sipp.server("uas-call.xml", Map.of(), "udp", trusted ? TRUSTED_PBX : UNTRUSTED_PBX,
                trusted ? trustedPbxPort : untrustedPbxPort)) {
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", caller, "called", called, "headers", headers),
                    "udp", from, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = far.finish();
            assertEquals(0, call.exitCode(), "the call itself must still work:\n" + call.output() + "\nfar end:\n" + legB.output());
            return invite(legB.output());
        }
    }

    static String invite(String trace) {
        List<String> received = Sipp.tracedMessages(trace, true);
        return received.stream().filter(m -> m.startsWith("INVITE ")).findFirst()
                .orElseThrow(() -> new AssertionError("no INVITE reached the far end:\n" + trace));
    }

    static List<String> header(String message, String name) {
        return message.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> l.substring(name.length() + 1).trim()).toList();
    }

    @Test
    void aTrustedCarriersAssertionAndRedirectionReachATrustedPbxAndTheSignatureCrossesUnchanged() {
        String invite = inviteAtFarEnd(TRUSTED_CARRIER, "+15551234", "8100", CALLER_HEADERS);
        assertEquals(List.of("\"Alice\" <sip:+15551234@carrier.example>"), header(invite, "P-Asserted-Identity"), invite);
        assertEquals(1, header(invite, "Diversion").size(), invite);
        assertTrue(header(invite, "Diversion").get(0).contains("sip:2002@pbx.example"), invite);
        assertEquals(1, header(invite, "History-Info").size(), invite);
        assertEquals(List.of(SIGNATURE), header(invite, "Identity"), invite);
    }

    @Test
    void privacyIdFromATrustedCarrierHidesTheCallerFromAnUntrustedPbx() {
        String invite = inviteAtFarEnd(TRUSTED_CARRIER, "+15551234", "9100", CALLER_HEADERS + "\nPrivacy: id");
        assertEquals(List.of(), header(invite, "P-Asserted-Identity"), invite);
        String from = header(invite, "From").get(0);
        assertFalse(invite.contains("15551234") || invite.contains("Alice"), "the caller leaked (From, Contact...):\n" + invite);
        assertTrue(from.startsWith("\"Anonymous\" <sip:anonymous@anonymous.invalid>"), invite);
        assertEquals(1, header(invite, "Diversion").size(), "voicemail still learns who forwarded:\n" + invite);
        assertEquals(List.of("id"), header(invite, "Privacy"), invite);
    }

    @Test
    void anUntrustedCarrierCannotAssertAnIdentityButItsCallGoesThrough() {
        String forged = String.join("\n", "P-Asserted-Identity: <sip:+18005550000@bank.example>", "Privacy: none",
                "Diversion: <sip:2002@pbx.example>;reason=unconditional");
        String invite = inviteAtFarEnd(UNTRUSTED_CARRIER, "5559999", "8101", forged);
        assertEquals(List.of(), header(invite, "P-Asserted-Identity"), invite);
        assertFalse(invite.contains("18005550000"), "the forged number crossed:\n" + invite);
        assertEquals(List.of(), header(invite, "Privacy"), invite);
        assertTrue(header(invite, "From").get(0).contains("sip:5559999@"), invite);
        assertEquals(1, header(invite, "Diversion").size(), invite);
    }

    @Test
    void anAuthenticatedPhoneIsAssertedAsItsOwnNumberNotTheOneItForged() {
        try (Sipp.Server far = Sipp.server("uas-call.xml", Map.of(), "udp", TRUSTED_PBX, trustedPbxPort)) {
            ProcessOutput call = Sipp.client("uac-call-auth.xml", Map.of("caller", "2001", "called", "8102", "user", "alice",
                    "password", "alice-secret", "headers", "P-Asserted-Identity: <sip:911@pbx.example>\nIdentity: " + SIGNATURE),
                    "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = far.finish();
            assertEquals(0, call.exitCode(), call.output() + "\nfar end:\n" + legB.output());
            String invite = invite(legB.output());
            List<String> asserted = header(invite, "P-Asserted-Identity");
            assertEquals(1, asserted.size(), invite);
            assertTrue(asserted.get(0).contains("<sip:2001@"), invite);
            assertFalse(invite.contains("sip:911@"), "the forged assertion crossed:\n" + invite);
            assertEquals(List.of(), header(invite, "Identity"), "a phone cannot sign for a carrier:\n" + invite);
        }
    }

    @Test
    void aPhoneRegisteredWithoutAContactPortIsCalledAtItsSipPhonePortAndGetsNoSignature() {
        ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice", "password", "alice-secret",
                "contact", "sip:2001@127.0.0.1", "expect", "200"), "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());
        try (Sipp.Server phone = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.1", sipPhonePort)) {
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "+15551234", "called", "2001", "headers",
                    CALLER_HEADERS), "udp", TRUSTED_CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = phone.finish();
            assertEquals(0, call.exitCode(), call.output() + "\nphone:\n" + legB.output());
            String invite = invite(legB.output());
            assertEquals(List.of("\"Alice\" <sip:+15551234@carrier.example>"), header(invite, "P-Asserted-Identity"), invite);
            assertEquals(1, header(invite, "Diversion").size(), invite);
            assertEquals(List.of(), header(invite, "Identity"), invite);
        }
    }

    /**
     * The 180 and the 200 to the INVITE in the caller's trace: the 200 always; the 180 when it did not
     * arrive after the 200 (the far end sends both at once, and a 180 that crosses behind the 200 is
     * not relayed, the call being answered).
     */
    static List<String> answers(String trace) {
        List<String> answers = Sipp.tracedMessages(trace, true).stream()
                .filter(m -> m.startsWith("SIP/2.0 180") || m.startsWith("SIP/2.0 200") && m.contains(" INVITE")).toList();
        assertTrue(answers.stream().anyMatch(m -> m.startsWith("SIP/2.0 200")), "the caller must see the 200:\n" + trace);
        return answers;
    }

    /** The 180 and 200 the caller received when the far end answered {@code called} with {@code answerHeaders}. */
    static List<String> answersAtCaller(String from, String called, String answerHeaders) {
        boolean trusted = called.startsWith("8");
        try (Sipp.Server far = Sipp.server("uas-call.xml", Map.of("headers", answerHeaders), "udp",
                trusted ? TRUSTED_PBX : UNTRUSTED_PBX, trusted ? trustedPbxPort : untrustedPbxPort)) {
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550123", "called", called), "udp", from,
                    "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = far.finish();
            assertEquals(0, call.exitCode(), call.output() + "\nfar end:\n" + legB.output());
            return answers(call.output());
        }
    }

    @Test
    void aTrustedPbxNamesTheConnectedPartyToTheCallerIn180And200() {
        for (String answer : answersAtCaller(UNTRUSTED_CARRIER, "8200", "P-Asserted-Identity: \"Desk\" <sip:8200@pbx.example>")) {
            assertEquals(List.of("\"Desk\" <sip:8200@pbx.example>"), header(answer, "P-Asserted-Identity"), answer);
        }
    }

    @Test
    void anUntrustedFarEndCannotInjectAnIdentityIntoTheCallersView() {
        for (String answer : answersAtCaller(TRUSTED_CARRIER, "9200",
                "P-Asserted-Identity: <sip:+18005550000@bank.example>\nPrivacy: none")) {
            assertEquals(List.of(), header(answer, "P-Asserted-Identity"), answer);
            assertEquals(List.of(), header(answer, "Privacy"), answer);
            assertFalse(answer.contains("18005550000"), "the forged number crossed:\n" + answer);
        }
    }

    @Test
    void aConnectedPartyAskingPrivacyIdIsHiddenFromAnUntrustedCallerButNotFromATrustedOne() {
        String headers = "P-Asserted-Identity: <sip:8201@pbx.example>\nPrivacy: id";
        for (String answer : answersAtCaller(UNTRUSTED_CARRIER, "8201", headers)) {
            assertEquals(List.of(), header(answer, "P-Asserted-Identity"), answer);
            assertFalse(answer.contains("8201@pbx.example"), answer);
        }
        for (String answer : answersAtCaller(TRUSTED_CARRIER, "8201", headers)) {
            assertEquals(List.of("<sip:8201@pbx.example>"), header(answer, "P-Asserted-Identity"), answer);
            assertEquals(List.of("id"), header(answer, "Privacy"), answer);
        }
    }

    @Test
    void anAuthenticatedPhoneAnsweringIsAssertedAsItsOwnNumberNotTheOneItForged() {
        ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice", "password", "alice-secret",
                "contact", "sip:2001@127.0.0.1", "expect", "200"), "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());
        try (Sipp.Server phone = Sipp.server("uas-call.xml", Map.of("headers", "P-Asserted-Identity: <sip:911@pbx.example>"),
                "udp", "127.0.0.1", sipPhonePort)) {
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550124", "called", "2001"), "udp",
                    UNTRUSTED_CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = phone.finish();
            assertEquals(0, call.exitCode(), call.output() + "\nphone:\n" + legB.output());
            for (String answer : answers(call.output())) {
                List<String> asserted = header(answer, "P-Asserted-Identity");
                assertEquals(1, asserted.size(), answer);
                assertTrue(asserted.get(0).startsWith("<sip:2001@"), answer);
                assertFalse(answer.contains("sip:911@"), "the phone's forged assertion crossed:\n" + answer);
            }
        }
    }

    /** The 200 the caller got to its re-INVITE when {@code called}'s PBX answered it with {@code headers}. */
    static String reInviteAnswer(String called, String headers) {
        boolean trusted = called.startsWith("8");
        try (Sipp.Server far = Sipp.server("uas-answer-reinvite.xml", Map.of("headers", headers), "udp",
                trusted ? TRUSTED_PBX : UNTRUSTED_PBX, trusted ? trustedPbxPort : untrustedPbxPort)) {
            ProcessOutput call = Sipp.client("uac-reinvite.xml", Map.of("caller", "5551234", "called", called),
                    "udp", UNTRUSTED_CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = far.finish();
            assertEquals(0, call.exitCode(), call.output() + "\nfar end:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            return Sipp.tracedMessages(call.output(), true).stream()
                    .filter(m -> m.startsWith("SIP/2.0 200") && m.contains("CSeq: 2 INVITE")).findFirst()
                    .orElseThrow(() -> new AssertionError("no 200 to the re-INVITE:\n" + call.output()));
        }
    }

    @Test
    void theAnswerToAReInviteCarriesTheAnswerersIdentityByTheSameTrustAsTheFirstAnswer() {
        String pai = "P-Asserted-Identity: <sip:+15557777@pbx.example>";
        String trusted = reInviteAnswer("8103", pai);
        assertEquals(List.of("<sip:+15557777@pbx.example>"), header(trusted, "P-Asserted-Identity"), trusted);
        String untrusted = reInviteAnswer("9103", pai);
        assertEquals(List.of(), header(untrusted, "P-Asserted-Identity"), "an untrusted PBX cannot assert:\n" + untrusted);
        String hidden = reInviteAnswer("8104", pai + "\nPrivacy: id");
        assertEquals(List.of(), header(hidden, "P-Asserted-Identity"),
                "Privacy: id hides it from a caller outside the trust domain:\n" + hidden);
    }
}
