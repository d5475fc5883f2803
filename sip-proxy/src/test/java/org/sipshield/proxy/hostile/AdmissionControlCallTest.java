package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * Admission control from the attacker's side, with sipp: a trunk over its concurrent calls or its
 * calls per second gets 503 with Retry-After, a trunk called beyond its concurrent-out limit is not
 * called (the caller gets 503), a phone over its limits gets 486 (concurrent) or 403 (rate); each
 * refusal is a SECURITY line, and a legitimate trunk (127.0.0.2) calling beside it is unaffected.
 */
class AdmissionControlCallTest {
    static final String LEGIT = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final String CAPPED = "127.0.0.6";
    static final String FAST = "127.0.0.7";
    static final String OUT_CAPPED = "127.0.0.8";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int pbxPort = FreePorts.udpAndTcp();
    static int outCappedPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture()
                .nonSecureTrunk("legit", LEGIT, 5060)
                .nonSecureTrunk("pbx", PBX, pbxPort)
                .nonSecureTrunk("capped", CAPPED, 5060, "maxConcurrentCallsIn: 2")
                .nonSecureTrunk("fast", FAST, 5060, "callsPerSecond: 1", "callBurst: 2")
                .nonSecureTrunk("out-capped", OUT_CAPPED, outCappedPort, "maxConcurrentCallsOut: 1")
                .route("8!", "pbx").route("6!", "out-capped")
                .phoneProfile("{name: one call at a time, maxConcurrentCallsIn: 1}")
                .phoneProfile("{name: slow dialers, callsPerSecond: 1, callBurst: 1}")
                .phone("{deviceName: SEPBUSY000001, securityProfile: one call at a time, lines: [\"3001\"]}")
                .phone("{deviceName: SEPDIAL000001, securityProfile: slow dialers, lines: [\"3002\"]}")
                .start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    static Map<String, String> vars(String caller, String called, String... more) {
        Map<String, String> variables = Sipp.variables("caller", caller, "called", called);
        variables.putAll(Sipp.variables(more));
        return variables;
    }

    static CompletableFuture<ProcessOutput> legitimateCallBeside(String called) {
        return CompletableFuture.supplyAsync(() -> proxy.sippCall("uac-call.xml", vars("5550100", called), LEGIT));
    }

    @Test
    void aTrunkOverItsConcurrentCallsGets503WithRetryAfterAndItsSlotsComeBackWhenCallsEnd() throws Exception {
        try (SecurityLog log = new SecurityLog();
                Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort, "-m", "4");
                Sipp.Server first = proxy.startSippCall("uac-call-hangup-after.xml", vars("5550101", "8101", "pauseMillis",
                        "3000"), CAPPED);
                Sipp.Server second = proxy.startSippCall("uac-call-hangup-after.xml", vars("5550102", "8102", "pauseMillis",
                        "3000"), CAPPED)) {
            proxy.awaitActiveCalls(2);
            CompletableFuture<ProcessOutput> legit = legitimateCallBeside("8103");
            ProcessOutput third = proxy.sippCall("uac-invite-expect.xml", vars("5550103", "8104", "answer", "503"), CAPPED);
            assertEquals(0, third.exitCode(), third.output());
            assertTrue(third.output().contains("Retry-After: 1"), third.output());
            assertEquals(0, legit.get().exitCode(), legit.get().output());
            assertEquals(0, first.finish().exitCode());
            assertEquals(0, second.finish().exitCode());

            ProcessOutput again = proxy.sippCall("uac-call.xml", vars("5550104", "8105"), CAPPED);
            assertEquals(0, again.exitCode(), "ended calls gave their slots back\n" + again.output());
            assertEquals(0, pbx.finish().exitCode());
            assertEquals(1, log.lines("call-admission-refused peer=\"trunk capped\" limit=concurrent-in max=2").size(),
                    log.lines("call-admission").toString());
            assertEquals(List.of(), log.lines("peer=\"trunk legit\""));
        }
    }

    @Test
    void aTrunkOverItsCallsPerSecondGets503AfterItsBurstWhileALegitimateTrunkCallsOn() throws Exception {
        try (SecurityLog log = new SecurityLog();
                Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort, "-m", "1")) {
            CompletableFuture<ProcessOutput> legit = legitimateCallBeside("8201");
            // 10 INVITEs at 100 a second to a number without a route: admitted ones get 404 (sipp: failed),
            // refused ones 503 (sipp: successful)
            ProcessOutput flood = proxy.sippCall("uac-invite-expect.xml", vars("5550200", "5999", "answer", "503"), FAST,
                    "-m", "10", "-r", "100", "-l", "10");
            int refused = FloodProtectionTest.successfulCalls(flood);
            assertTrue(refused >= 1 && refused <= 8, "the burst of 2 is always admitted, the rest mostly refused: "
                    + refused + "\n" + flood.output());
            assertTrue(flood.output().contains("404 Not Found"), "the burst went through admission\n" + flood.output());
            ProcessOutput legitCall = legit.get();
            assertEquals(0, legitCall.exitCode(), legitCall.output());
            assertEquals(0, pbx.finish().exitCode());
            assertEquals(refused, log.lines("call-admission-refused peer=\"trunk fast\" limit=calls-per-second").size());
        }
    }

    @Test
    void aTrunkAlreadyCalledUpToItsConcurrentOutLimitIsNotCalledAgainAndTheCallerGets503() throws Exception {
        try (SecurityLog log = new SecurityLog();
                Sipp.Server outCapped = Sipp.server("uas-call.xml", Map.of(), "udp", OUT_CAPPED, outCappedPort, "-m", "1");
                Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort, "-m", "1");
                Sipp.Server up = proxy.startSippCall("uac-call-hangup-after.xml", vars("5550300", "6001", "pauseMillis",
                        "2000"), LEGIT)) {
            proxy.awaitActiveCalls(1);
            ProcessOutput refused = proxy.sippCall("uac-invite-expect.xml", vars("5550301", "6002", "answer", "503"), LEGIT);
            assertEquals(0, refused.exitCode(), refused.output());
            ProcessOutput elsewhere = proxy.sippCall("uac-call.xml", vars("5550302", "8301"), LEGIT);
            assertEquals(0, elsewhere.exitCode(), "the same caller still reaches another trunk\n" + elsewhere.output());
            assertEquals(0, up.finish().exitCode());
            ProcessOutput farEnd = outCapped.finish();
            assertEquals(0, farEnd.exitCode(), farEnd.output());
            assertEquals(1, Sipp.tracedMessages(farEnd.output(), true).stream().filter(m -> m.startsWith("INVITE")).count(),
                    "the refused call never reached the trunk\n" + farEnd.output());
            assertEquals(0, pbx.finish().exitCode());
            assertEquals(1, log.lines("peer=\"trunk out-capped\" limit=concurrent-out max=1").size());
        }
    }

    @Test
    void aPhoneOverItsConcurrentCallsGets486AndOneOverItsRateGets403() throws Exception {
        int busyPort = FreePorts.udpAndTcp();
        int dialerPort = FreePorts.udpAndTcp();
        for (String[] line : new String[][] {{"3001", Integer.toString(busyPort)}, {"3002", Integer.toString(dialerPort)}}) {
            ProcessOutput register = proxy.sippCall("register-open.xml", Map.of("dn", line[0], "contact",
                    "sip:" + line[0] + "@127.0.0.1:" + line[1], "expect", "200"), "127.0.0.1", "-p", line[1]);
            assertEquals(0, register.exitCode(), register.output());
        }
        try (SecurityLog log = new SecurityLog();
                Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort, "-m", "2")) {
            CompletableFuture<ProcessOutput> legit = legitimateCallBeside("8401");
            // two calls at once from the phone's registered address: the second finds the phone busy
            ProcessOutput busy = proxy.sippCall("uac-call-hangup-after.xml", vars("3001", "8402", "pauseMillis", "2000"),
                    "127.0.0.1", "-p", Integer.toString(busyPort), "-m", "2", "-r", "50",
                    "-l", "2");
            assertEquals(1, FloodProtectionTest.successfulCalls(busy), busy.output());
            assertTrue(busy.output().contains("SIP/2.0 486 Busy Here"), busy.output());

            ProcessOutput dialer = proxy.sippCall("uac-invite-expect.xml", vars("3002", "5999", "answer", "403"),
                    "127.0.0.1", "-p", Integer.toString(dialerPort), "-m", "5", "-r", "100",
                    "-l", "5");
            int refused = FloodProtectionTest.successfulCalls(dialer);
            assertTrue(refused >= 1 && refused <= 4, refused + "\n" + dialer.output());
            assertEquals(0, legit.get().exitCode(), legit.get().output());
            assertEquals(0, pbx.finish().exitCode());
            assertEquals(1, log.lines("peer=\"phone SEPBUSY000001\" limit=concurrent-in").size());
            assertEquals(refused, log.lines("peer=\"phone SEPDIAL000001\" limit=calls-per-second").size());
        }
    }
}
