package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * RFC 4028 session timers and the maximum call duration through the real proxy, between sipp
 * peers: the carrier (127.0.0.2) calls the pbx (127.0.0.3) or a trunk with a two-second maximum
 * (127.0.0.5). Intervals are a few seconds (sessionTimers.minSE below RFC 4028's 90 s is allowed
 * with a warning for exactly this), so a vanished peer is detected within the test.
 */
class SessionTimerCallTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final String SHORT = "127.0.0.5";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int pbxPort = FreePorts.udpAndTcp();
    static int shortPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().yaml("sessionTimers: {sessionExpires: 6, minSE: 3}")
                .carrierAndPbx(CARRIER, FreePorts.udpAndTcp(), PBX, pbxPort)
                .nonSecureTrunk("short-calls", SHORT, shortPort, "maxCallDuration: 2").route("7!", "short-calls")
                .start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    static Map<String, String> call(String called, String... more) {
        Map<String, String> variables = Sipp.variables("caller", "5550100", "called", called);
        variables.putAll(Sipp.variables(more));
        return variables;
    }

    static ProcessOutput fromCarrier(String scenario, Map<String, String> variables) {
        return proxy.sippCall(scenario, variables, CARRIER);
    }

    static String received(String trace, String startLine) {
        return Sipp.tracedMessages(trace, true).stream().filter(m -> m.startsWith(startLine)).findFirst()
                .orElse("(no " + startLine + " received)\n" + trace);
    }

    static List<String> allReceived(String trace, String startLine) {
        return Sipp.tracedMessages(trace, true).stream().filter(m -> m.startsWith(startLine)).toList();
    }

    @Test
    void aLegWhosePeerStopsRefreshingEndsTheCallWithByeAndAReasonOnBothLegs() {
        try (Sipp.Server pbx = Sipp.server("uas-session-timer-silent.xml", Map.of("expires", "6"), "udp", PBX, pbxPort)) {
            ProcessOutput legA = fromCarrier("uac-call-await-bye.xml", call("8001"));
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            String invite = received(legB.output(), "INVITE");
            assertTrue(invite.contains("Session-Expires: 6;refresher=uas") && invite.contains("Supported: timer"), invite);
            for (String bye : List.of(received(legA.output(), "BYE"), received(legB.output(), "BYE"))) {
                assertTrue(bye.contains("Reason: SIP;cause=408;text=\"Session timer expired\""), bye);
            }
        }
    }

    @Test
    void aCallOnHoldWhosePhoneVanishedIsEndedWhenOurRefreshGoesUnanswered() {
        try (Sipp.Server pbx = Sipp.server("uas-hold-await-bye.xml", Map.of(), "udp", PBX, pbxPort)) {
            ProcessOutput legA = fromCarrier("uac-hold-then-vanish.xml", call("8007"));
            assertEquals(0, legA.exitCode(), legA.output());
            String answer = Sipp.tracedMessages(legA.output(), true).stream()
                    .filter(m -> m.startsWith("SIP/2.0 200") && m.contains("1 INVITE")).findFirst().orElse(legA.output());
            // no timer support, but UPDATE allowed: we are the refresher of leg A
            assertTrue(answer.contains("Session-Expires: 6;refresher=uas"), answer);
            ProcessOutput legB = pbx.finish(); // held (no media timeout), ended by leg A's session timer
            assertEquals(0, legB.exitCode(), legB.output());
            assertTrue(received(legB.output(), "BYE").contains("Reason: SIP;cause=408;text=\"Session timer expired\""),
                    legB.output());
        }
    }

    @Test
    void aCallerThatRefreshesByUpdateKeepsTheCallUpPastItsIntervalAndRefreshesTheOtherLegToo() {
        try (Sipp.Server pbx = Sipp.server("uas-session-timer-refreshed.xml", Map.of("expires", "6"), "udp", PBX, pbxPort)) {
            // three pauses of 2.5 s: the call outlives the 6 s interval only because each UPDATE refreshed it
            ProcessOutput legA = fromCarrier("uac-session-timer-refresh.xml",
                    call("8002", "expires", "6", "refreshMillis", "2500", "updateExpires", "6", "updateAnswer", "200"));
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            String ok = Sipp.tracedMessages(legA.output(), true).stream()
                    .filter(m -> m.startsWith("SIP/2.0 200") && m.contains("INVITE")).findFirst().orElse(legA.output());
            assertTrue(ok.contains("Session-Expires: 6;refresher=uac") && ok.contains("Require: timer"), ok);
            List<String> updates = allReceived(legB.output(), "UPDATE");
            assertEquals(2, updates.size(), legB.output());
            for (String update : updates) {
                assertTrue(update.contains("Session-Expires: 6"), update);
            }
        }
    }

    @Test
    void aLegThatMakesUsItsRefresherIsRefreshedByUpdateAndStaysUp() {
        try (Sipp.Server pbx = Sipp.server("uas-session-timer-we-refresh.xml", Map.of("expires", "6"), "udp", PBX, pbxPort)) {
            ProcessOutput legA = fromCarrier("uac-call-remote-bye.xml", call("8003"));
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            List<String> updates = allReceived(legB.output(), "UPDATE");
            assertEquals(2, updates.size(), legB.output());
            assertTrue(updates.get(0).contains("Session-Expires: 6;refresher=uac"), updates.get(0));
            assertTrue(!received(legA.output(), "BYE").contains("Reason: SIP;cause=408"), "a hang-up, not a timer");
        }
    }

    @Test
    void aSessionIntervalBelowOurMinSeIsRefusedWith422NamingOurs() {
        ProcessOutput legA = fromCarrier("uac-session-interval-too-small.xml", call("8004", "expires", "2"));
        assertEquals(0, legA.exitCode(), legA.output());
        String refusal = received(legA.output(), "SIP/2.0 422");
        assertTrue(refusal.contains("Min-SE: 3"), refusal);
    }

    @Test
    void aRefreshInACallAskingForLessThanOurMinSeIsRefusedWith422AndNotRelayed() {
        try (Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort)) {
            ProcessOutput legA = fromCarrier("uac-session-timer-refresh.xml",
                    call("8006", "expires", "6", "refreshMillis", "300", "updateExpires", "2", "updateAnswer", "422"));
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            assertTrue(received(legA.output(), "SIP/2.0 422").contains("Min-SE: 3"), legA.output());
            assertEquals(List.of(), allReceived(legB.output(), "UPDATE"));
        }
    }

    @Test
    void aFarEndsRefusalWith422IsAnsweredInTheSameCallWithTheIntervalItAsksFor() {
        try (Sipp.Server pbx = Sipp.server("uas-session-interval-too-small.xml", Map.of("minSE", "8"), "udp", PBX, pbxPort)) {
            ProcessOutput legA = fromCarrier("uac-call.xml", call("8005"));
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            List<String> invites = allReceived(legB.output(), "INVITE");
            assertEquals(2, invites.size(), legB.output());
            assertTrue(invites.get(1).contains("Session-Expires: 8"), invites.get(1));
            assertEquals(callId(invites.get(0)), callId(invites.get(1)), "the retry is the same call");
        }
    }

    @Test
    void theMaximumCallDurationEndsAnAnsweredCallWithByeAndAReasonOnBothLegs() {
        try (Sipp.Server far = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", SHORT, shortPort)) {
            ProcessOutput legA = fromCarrier("uac-call-await-bye.xml", call("7001"));
            ProcessOutput legB = far.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\nfar end:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            for (String bye : List.of(received(legA.output(), "BYE"), received(legB.output(), "BYE"))) {
                assertTrue(bye.contains("Maximum call duration reached"), bye);
            }
        }
    }

    private static String callId(String message) {
        return message.lines().filter(l -> l.startsWith("Call-ID:")).findFirst().orElse("");
    }
}
