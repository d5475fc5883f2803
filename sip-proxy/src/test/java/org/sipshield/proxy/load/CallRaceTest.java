package org.sipshield.proxy.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.media.MediaRelay;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.media.MediaSdpRewriter;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.OptionsProber;
import org.sipshield.proxy.peers.SippLoad;

/**
 * A stress test of "one locking rule for calls": on each of 200 answered calls, at the same moment,
 * the caller sends a re-INVITE, the callee hangs up with BYE, and the proxy's media timeout (5 s,
 * no RTP flows) ends the call around then too (sipp, a trunk calling a trunk). Whatever order they
 * meet in, each side's scenario must end: every request answered, every call ended with a BYE on
 * both legs (a leg that never gets its BYE is the half-open call this is for), no call record, relay
 * session or relay port left, no WARN/ERROR/exception in the log, and no stall.
 *
 * <p>It found two races, both fixed: a caller's re-INVITE that crossed the proxy's BYE (the callee
 * hung up) got 100 Trying and never a final answer (now the ended call answers it 487, RFC 3261
 * 15.1.2), and a late offer re-created a call's media after it was released, leaving a relay
 * session and its ports behind (now an ended call is never anchored again).
 *
 * <p>sipp counts a message that arrives while a call sits between two steps as unexpected, so every
 * message a race can bring at any moment has a global (and where the call waits, a local)
 * handler. -Dsipshield.race.trace=true -Dsipshield.race.traceOption=-trace_shortmsg keeps one line
 * per message of each side (the full -trace_msg changes the timing enough to hide the races).
 */
class CallRaceTest {
    static final int CALLS = Integer.getInteger("sipshield.race.calls", 200);
    static final int CALL_RATE = 40;
    /**
     * From the ACK to the re-INVITE (caller) and to the BYE (callee): drawn per call and side from
     * this range, so on some calls the two cross within milliseconds and on others one comes first.
     * The media timeout (5 s, checked once a second) ends a silent call 5 to 6 s after its offer,
     * so it falls inside the same range: before the re-INVITE and the BYE on some calls, between
     * or after them on others.
     */
    static final int RACE_MIN_MILLIS = 5000;
    static final int RACE_MAX_MILLIS = 5800;
    static final String CALLER = "127.0.0.6";
    static final String CALLEE = "127.0.0.2";
    static final String PROBER = "127.0.0.3";

    @TempDir
    Path dataDirectory;

    @Test
    void reInviteByeAndMediaTimeoutOnTheSameCallsLeaveNoCallHalfOpen() throws Exception {
        int callerPort = FreePorts.udpAndTcp();
        int calleePort = FreePorts.udpAndTcp();
        ProxyFixture fixture = LoadRun.fixture().yaml("""
                media:
                  portMin: 44000
                  portMax: 45999
                  mediaTimeout: 5
                """).nonSecureTrunk("caller", CALLER, callerPort).nonSecureTrunk("callee", CALLEE, calleePort)
                .route("8!", "callee");
        try (LoadRun run = new LoadRun(dataDirectory, fixture, PROBER)) {
            RunningProxy proxy = run.proxy;
            MediaRelay relay = proxy.server.media().relay();
            int freePairsBefore = relay.freePortPairs();
            // -Dsipshield.race.trace=true: sipp keeps every message it sent and received, for a look at one call
            List<String> trace = Boolean.getBoolean("sipshield.race.trace")
                    ? List.of(System.getProperty("sipshield.race.traceOption", "-trace_msg")) : List.of();
            Map<String, String> race = Map.of("raceMinMs", Integer.toString(RACE_MIN_MILLIS),
                    "raceMaxMs", Integer.toString(RACE_MAX_MILLIS), "called", "8100");
            SippLoad.Result caller;
            SippLoad.Result callee;
            try (SippLoad calleeSide = SippLoad.start("callee (BYE)", "race-uas-bye.xml", race, List.of(
                    "-t", "u1", "-i", CALLEE, "-p", Integer.toString(calleePort), "-m", Integer.toString(CALLS),
                    "-recv_timeout", "40000", "-timeout", "120s", "-timeout_error", String.join(" ", trace)).stream()
                    .filter(o -> !o.isEmpty()).toList())
                    .awaitBound(CALLEE, calleePort, true);
                    SippLoad callerSide = SippLoad.start("caller (re-INVITE)", "race-uac-reinvite.xml", race, List.of(
                    "-t", "u1", "-i", CALLER, "-p", Integer.toString(callerPort), "-m", Integer.toString(CALLS),
                    "-r", Integer.toString(CALL_RATE), "-l", Integer.toString(CALLS),
                    "-recv_timeout", "40000", "-timeout", "120s", "-timeout_error", String.join(" ", trace),
                    run.target()).stream().filter(o -> !o.isEmpty()).toList())) {
                caller = callerSide.await(150);
                callee = calleeSide.await(60);
            }
            boolean drained = CallLoadTest.awaitDrained(proxy, relay, freePairsBefore);
            OptionsProber.Report pings = run.prober.stop();
            // calls with media state in the SDP step: one left after its call ended means a late offer
            // made the call's media anew after it was released
            int callsWithMedia = ((MediaSdpRewriter) proxy.server.media().sdpRewriter()).activeCalls();
            System.out.println("call race: " + caller.summary() + "; " + callee.summary() + "; afterwards "
                    + proxy.server.activeCalls() + " calls, " + callsWithMedia + " calls with media state, "
                    + relay.activeSessions() + " sessions, "
                    + (freePairsBefore - relay.freePortPairs()) + " port pairs in use; " + pings
                    + "; watchdog stalls " + proxy.server.signallingStalls()
                    + "\n--- caller ---\n" + caller.screen() + "\n--- callee ---\n" + callee.screen());

            RegistrationLoadTest.assertAllSucceeded(caller, CALLS);
            RegistrationLoadTest.assertAllSucceeded(callee, CALLS);
            assertTrue(drained && callsWithMedia == 0, "nothing left: " + proxy.server.activeCalls() + " call records, "
                    + callsWithMedia + " calls with media state, " + relay.activeSessions()
                    + " relay sessions, " + (freePairsBefore - relay.freePortPairs()) + " relay port pairs in use");
            assertTrue(pings.failures().isEmpty() && pings.answered200() == pings.sent() && !pings.stillRunning(),
                    "every OPTIONS ping is answered 200 during the race: " + pings);
            assertTrue(run.log.problems().isEmpty(), run.log.describeProblems());
            assertEquals(0, proxy.server.signallingStalls(), "the stall watchdog never fired");
        }
    }
}
