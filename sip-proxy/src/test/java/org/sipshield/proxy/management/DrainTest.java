package org.sipshield.proxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * A drain asked for over the management API with two real calls up (sipp carrier -> proxy -> sipp
 * PBX): readiness goes false, a new INVITE gets 503 with Retry-After, the BYE of a call in
 * progress still crosses, the call still up when the drain time is over gets BYE on both legs with
 * a Reason header, and then the proxy stops.
 */
class DrainTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final int DRAIN_SECONDS = 10;

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static Curl curl;
    static String token;
    static int pbxPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().serverKeys("shutdownDrainSeconds: " + DRAIN_SECONDS).management()
                .carrierAndPbx(CARRIER, 5060, PBX, pbxPort).start(dataDirectory);
        curl = new Curl(dataDirectory, proxy.managementPort);
        token = new AdminToken(dataDirectory).rotate();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void newCallsAreRefusedCallsInProgressGoOnAndTheLastOnesEndWithAReason() throws Exception {
        try (Sipp.Server pbx = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", PBX, pbxPort, "-m", "2");
                Sipp.Server stayingCall = Sipp.startClient("uac-call-await-bye.xml",
                        Map.of("caller", "5550101", "called", "8001"), "udp", CARRIER, "127.0.0.1", proxy.sipPort)) {
            awaitAnswered(1);
            // the second call's caller hangs up by itself a while after its ACK: inside the drain
            try (Sipp.Server endingCall = Sipp.startClient("uac-call-hangup-after.xml", Map.of("caller", "5550102",
                    "called", "8002", "pauseMillis", "4000"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
                    SecurityLog log = new SecurityLog()) {
                awaitAnswered(2);

                Curl.Answer drain = curl.request("POST", "/drain", token, null);
                assertEquals(202, drain.status(), drain.output());
                assertEquals(2, proxy.server.activeCalls(), "both calls were up when the drain began");
                assertEquals(1, log.lines("admin-action").size(), log.lines("").toString());
                assertTrue(log.lines("admin-action").get(0).contains("who=token action=drain"), log.lines("").toString());

                Curl.Answer ready = curl.get("/health/ready", token);
                assertEquals(503, ready.status(), ready.output());
                assertEquals("not ready: draining\n", ready.body());
                assertEquals(200, curl.get("/health/live", null).status());

                ProcessOutput refused = Sipp.client("uac-request.xml", Map.of("method", "INVITE", "caller", "5550103",
                        "called", "8003", "expect", "503"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
                assertEquals(0, refused.exitCode(), refused.output());
                assertTrue(refused.output().contains("Retry-After: " + DRAIN_SECONDS), refused.output());
                // classification still comes first: a stranger learns nothing of the drain
                ProcessOutput stranger = Sipp.client("uac-request.xml", Map.of("method", "INVITE", "caller", "666",
                        "called", "8004", "expect", "403"), "udp", "127.0.0.9", "127.0.0.1", proxy.sipPort);
                assertEquals(0, stranger.exitCode(), stranger.output());

                ProcessOutput ended = endingCall.finish();
                assertEquals(0, ended.exitCode(), "the caller's BYE crossed during the drain:\n" + ended.output());
            }
            ProcessOutput stayed = stayingCall.finish();
            assertEquals(0, stayed.exitCode(), stayed.output());
            assertTrue(stayed.output().contains("Reason: SIP;cause=503;text=\"sipshield is stopping\""), stayed.output());
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legB.exitCode(), legB.output());
            assertEquals(1, legB.output().split("Reason: SIP;cause=503", -1).length - 1,
                    "one BYE from the proxy (the other call's came from its caller):\n" + legB.output());
        }
        awaitStopped();
        assertEquals(0, proxy.server.activeCalls());
        assertNull(proxy.server.management(), "the drain ends with the proxy stopped");
    }

    private static void awaitAnswered(int calls) throws InterruptedException {
        String series = "sipshield_calls_total{result=\"answered\"} " + calls + ".0";
        for (int attempt = 0; attempt < 600 && !proxy.server.metrics().scrape().contains(series); attempt++) {
            Thread.sleep(100);
        }
        assertTrue(proxy.server.metrics().scrape().contains(series), "never answered: " + series);
    }

    private static void awaitStopped() throws InterruptedException {
        for (int attempt = 0; attempt < 600 && proxy.server.management() != null; attempt++) {
            Thread.sleep(100);
        }
    }
}
