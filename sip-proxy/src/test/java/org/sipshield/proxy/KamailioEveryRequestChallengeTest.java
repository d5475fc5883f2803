package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.Kamailio;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * kamailio as a carrier that challenges every request sipshield sends it (SHA-256, RFC 7616): the
 * call's INVITE in one realm, its re-INVITEs (407) and BYE (401) in another, and an out-of-dialog
 * MESSAGE (401). A sipp phone holds, resumes and hangs up through it, and holds and hangs up a
 * call the carrier placed (then the requests cross to leg A): each request sipshield sends the
 * carrier is challenged once, answered once, and reaches the far end authenticated. A trunk with credentials for the
 * INVITE's realm only: the phone's re-INVITE gets 403 (never the carrier's 401/407) and the call
 * leaves nothing behind.
 */
class KamailioEveryRequestChallengeTest {
    static final String KAMAILIO = KamailioTrunkTest.KAMAILIO;
    static final String FAR_END = KamailioTrunkTest.FAR_END;

    @TempDir
    Path dataDirectory;

    private final int kamailioPort = FreePorts.udpAndTcp();
    private final int farEndPort = FreePorts.udpAndTcp();
    private final int phonePort = FreePorts.udpAndTcp();

    static String sha256(String user, String realm, String password) {
        String stored = DigestChecksum.compute(DigestAlgorithm.SHA_256, user, realm, password.toCharArray()).toStoredForm();
        return stored.substring(stored.indexOf(':') + 1);
    }

    /** carrier: credentials for both of kamailio's realms; half-known: for the INVITE's realm only. */
    private String model() {
        // the phone's own in-dialog requests are not challenged here: what is tested is the carrier's side
        return """
                security: {challengeInDialog: []}
                sipTrunkSecurityProfiles:
                  - {name: carrier profile, incomingPort: ${sipPort}, outgoingTransportType: UDP}
                sipTrunks:
                  - {name: carrier, securityProfile: carrier profile, destinations: ["%1$s:%2$d"]}
                  - {name: half-known, securityProfile: carrier profile, destinations: ["%1$s:%2$d"]}
                routePatterns:
                  - {pattern: "9!", trunk: carrier}
                  - {pattern: "7!", trunk: half-known}
                sipRealms:
                  - {realm: carrier.example, trunk: carrier, user: sipshield, digestCredentials: {SHA-256: %3$s}}
                  - {realm: dialog.carrier.example, trunk: carrier, user: sipshield, digestCredentials: {SHA-256: %4$s}}
                  - {realm: carrier.example, trunk: half-known, user: sipshield, digestCredentials: {SHA-256: %3$s}}
                phoneSecurityProfiles:
                  - {name: digest phones, enableDigestAuthentication: true}
                endUsers:
                  - {userId: alice, digestCredentials: {MD5: %5$s}}
                phones:
                  - {deviceName: SEPALICE00001, securityProfile: digest phones, digestUser: alice, lines: ["2001"]}
                """.formatted(KAMAILIO, kamailioPort, sha256("sipshield", "carrier.example", "trunk-secret"),
                sha256("sipshield", "dialog.carrier.example", "trunk-secret"),
                KamailioTrunkTest.ha1("alice", "ccmsipline", "alice-secret"));
    }

    private Kamailio carrier() {
        return Kamailio.start("challenging-trunk.cfg", Map.of("realm", "carrier.example", "password", "trunk-secret",
                "user", "sipshield", "relay", FAR_END + ":" + farEndPort, "algorithm", "SHA-256",
                "challengeEveryRequest", "1", "inDialogRealm", "dialog.carrier.example", "farEnd", FAR_END),
                KAMAILIO, kamailioPort);
    }

    private void register(RunningProxy proxy) {
        ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort, "expect", "200"),
                "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());
    }

    @Test
    void everyRequestToTheCarrierIsAnsweredOnceAndArrivesAuthenticated() throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory, model()); Kamailio kamailio = carrier()) {
            register(proxy);
            ProcessOutput phone;
            ProcessOutput farEnd;
            try (Sipp.Server far = Sipp.server("uas-hold-resume.xml", Map.of("mediaIp", FAR_END,
                    "rtpPort", Integer.toString(FreePorts.udpAndTcp())), "udp", FAR_END, farEndPort)) {
                phone = Sipp.client("uac-call-auth-hold.xml", Map.of("caller", "2001", "called", "9123",
                        "user", "alice", "password", "alice-secret"),
                        "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort,
                        "-p", Integer.toString(phonePort));
                farEnd = far.finish();
            }
            String log = kamailio.log();
            assertEquals(0, phone.exitCode(), phone.output() + "\nkamailio:\n" + log + "\nfar end:\n" + farEnd.output());
            assertEquals(0, farEnd.exitCode(), farEnd.output() + "\nkamailio:\n" + log);
            // the INVITE and the two re-INVITEs, and the BYE sipshield sends when the phone hangs up
            assertEquals(3, count(log, "challenging INVITE"), log);
            assertEquals(3, count(log, "authenticated INVITE"), log);
            assertEquals(1, count(log, "challenging BYE"), log);
            assertEquals(1, count(log, "authenticated BYE"), log);
            assertTrue(log.contains("(407 dialog.carrier.example)") && log.contains("(401 dialog.carrier.example)"), log);
            assertArrivedAuthenticated(farEnd.output(), 4);
            assertNoCarrierChallengeReached(phone.output());
            assertCallGone(proxy);

            try (Sipp.Server far = Sipp.server("uas-answer-request.xml", Map.of("method", "MESSAGE"), "udp", FAR_END,
                    farEndPort)) {
                ProcessOutput message = Sipp.client("uac-request-auth.xml", Map.of("method", "MESSAGE", "caller", "2001",
                        "called", "9123", "expect", "200", "user", "alice", "password", "alice-secret"),
                        "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
                farEnd = far.finish();
                assertEquals(0, message.exitCode(), message.output() + "\nkamailio:\n" + kamailio.log());
                assertNoCarrierChallengeReached(message.output());
            }
            assertEquals(0, farEnd.exitCode(), farEnd.output());
            assertEquals(1, count(kamailio.log(), "challenging MESSAGE"), kamailio.log());
            assertArrivedAuthenticated(farEnd.output(), 1);
        }
    }

    /** The carrier calls the phone: the phone's hold and hang-up cross to leg A, the carrier's, and are challenged there. */
    @Test
    void aCallFromTheCarrierIsHeldAndHungUpByThePhoneThroughTheCarriersChallenges() throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory, model()); Kamailio kamailio = carrier()) {
            register(proxy);
            ProcessOutput far;
            ProcessOutput phone;
            try (Sipp.Server phoneSide = Sipp.server("uas-call-hold-hangup.xml", Map.of(), "udp", "127.0.0.1",
                    phonePort)) {
                far = Sipp.client("uac-call-via-carrier.xml", Map.of("caller", "5551234", "called", "2001",
                        "proxy", "127.0.0.1:" + proxy.sipPort), "udp", FAR_END, KAMAILIO, kamailioPort);
                phone = phoneSide.finish();
            }
            String log = kamailio.log();
            assertEquals(0, far.exitCode(), far.output() + "\nkamailio:\n" + log + "\nphone:\n" + phone.output());
            assertEquals(0, phone.exitCode(), phone.output() + "\nkamailio:\n" + log);
            // the carrier's own INVITE is not challenged; the re-INVITE and BYE sipshield sends it are, once each
            assertEquals(1, count(log, "challenging INVITE"), log);
            assertEquals(1, count(log, "authenticated INVITE"), log);
            assertEquals(1, count(log, "challenging BYE"), log);
            assertEquals(1, count(log, "authenticated BYE"), log);
            assertArrivedAuthenticated(far.output(), 2);
            assertNoCarrierChallengeReached(phone.output());
            assertCallGone(proxy);
        }
    }

    @Test
    void aChallengeWeHaveNoCredentialsForReachesThePhoneAs403AndTheCallLeavesNothing() throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory, model()); Kamailio kamailio = carrier()) {
            register(proxy);
            ProcessOutput phone;
            // the far end waits for a BYE that cannot come (the carrier refuses ours): closed unfinished
            try (Sipp.Server far = Sipp.server("uas-call.xml", Map.of(), "udp", FAR_END, farEndPort)) {
                phone = Sipp.client("uac-call-auth-reinvite-refused.xml", Map.of("caller", "2001", "called", "7123",
                        "user", "alice", "password", "alice-secret"),
                        "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort,
                        "-p", Integer.toString(phonePort));
            }
            // the phone's BYE is answered at once; ours to the carrier follows it
            String log = awaitLog(kamailio, "challenging BYE");
            assertEquals(0, phone.exitCode(), "the re-INVITE is refused 403 and the BYE answered 200:\n"
                    + phone.output() + "\nkamailio:\n" + log);
            assertNoCarrierChallengeReached(phone.output());
            // the re-INVITE and our BYE were each challenged once: never a second try
            assertEquals(2, count(log, "challenging INVITE"), log);
            assertEquals(1, count(log, "authenticated INVITE"), log);
            assertEquals(1, count(log, "challenging BYE"), log);
            assertEquals(0, count(log, "authenticated BYE"), log);
            assertEquals(0, count(log, "in-dialog INVITE"), "no re-INVITE passed the carrier:\n" + log);
            assertEquals(0, count(log, "in-dialog BYE"), "no BYE passed the carrier:\n" + log);
            assertCallGone(proxy);
        }
    }

    /** kamailio's log once it holds the line (bounded wait: an outcome, not a speed). */
    private static String awaitLog(Kamailio kamailio, String line) throws InterruptedException {
        for (int i = 0; i < 100 && !kamailio.log().contains(line); i++) {
            Thread.sleep(100);
        }
        return kamailio.log();
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    /** Every INVITE and BYE the far end received came through the carrier's authentication. */
    private static void assertArrivedAuthenticated(String trace, int atLeast) {
        List<String> requests = Sipp.tracedMessages(trace, true).stream()
                .filter(m -> !m.startsWith("SIP/2.0") && !m.startsWith("ACK ")).distinct().toList();
        assertTrue(requests.size() >= atLeast, trace);
        for (String request : requests) {
            assertTrue(request.contains("X-Carrier-Authenticated: sipshield"), request);
            assertTrue(!request.contains("Authorization:"), "the carrier consumed our credentials: " + request);
        }
    }

    /** The phone saw only its own registrar's challenge (realm ccmsipline), never the carrier's. */
    private static void assertNoCarrierChallengeReached(String trace) {
        for (String response : Sipp.tracedMessages(trace, true)) {
            if (response.startsWith("SIP/2.0 401") || response.startsWith("SIP/2.0 407")) {
                assertTrue(response.contains("realm=\"ccmsipline\"") && !response.contains("carrier.example"), response);
            }
        }
    }

    /** The call is gone from the B2BUA and the relay once both legs are done (bounded wait, not a speed check). */
    private static void assertCallGone(RunningProxy proxy) throws InterruptedException {
        for (int i = 0; i < 100 && (proxy.server.activeCalls() > 0 || proxy.server.media().relay().activeSessions() > 0); i++) {
            Thread.sleep(100);
        }
        assertEquals(0, proxy.server.activeCalls(), "no call left");
        assertEquals(0, proxy.server.media().relay().activeSessions(), "no relay session left");
    }
}
