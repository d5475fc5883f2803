package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * An INVITE flood from one source (sipp, 2000 INVITEs at 500 a second from 127.0.0.7) is
 * rate-limited per source, while a trunk (127.0.0.2) keeps placing calls through the proxy to
 * another trunk (127.0.0.3) with no failure at all.
 */
class FloodProtectionTest {
    static final String FLOODER = "127.0.0.7";
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final int RATE = 20;
    static final int BURST = 40;
    static final int FLOOD_CALLS = 2000;
    static final int LEGIT_CALLS = 15;
    private static final Pattern SUCCESSFUL = Pattern.compile("Successful call\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)");

    @TempDir
    Path dataDirectory;

    static ProxyFixture model(String action, int pbxPort) {
        return new ProxyFixture().yaml("""
                security:
                  requestsPerSecondPerSource: %d
                  requestBurstPerSource: %d
                  overRequestLimit: %s
                """.formatted(RATE, BURST, action)).carrierAndPbx(CARRIER, 5060, PBX, pbxPort);
    }

    @Test
    void floodIsDroppedPerSourceWhileATrunkKeepsCompletingCalls() throws Exception {
        int pbxPort = FreePorts.udpAndTcp();
        try (SecurityLog log = new SecurityLog();
                RunningProxy proxy = model("DROP", pbxPort).start(dataDirectory);
                Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort, "-m",
                        Integer.toString(LEGIT_CALLS))) {
            long started = System.nanoTime();
            CompletableFuture<ProcessOutput> flood = CompletableFuture.supplyAsync(() -> Sipp.client("flood-invite.xml",
                    Map.of("answer", "403"), "udp", FLOODER, "127.0.0.1", proxy.sipPort, "-m",
                    Integer.toString(FLOOD_CALLS), "-r", "500", "-nr", "-l", "2000"));
            ProcessOutput legit = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "8123"), "udp",
                    CARRIER, "127.0.0.1", proxy.sipPort, "-m", Integer.toString(LEGIT_CALLS), "-r", "5");
            ProcessOutput flooded = flood.get();
            double seconds = (System.nanoTime() - started) / 1e9;
            ProcessOutput legB = pbx.finish();

            assertEquals(0, legit.exitCode(), "the trunk's calls must all complete during the flood\n" + legit.output());
            assertEquals(0, legB.exitCode(), legB.output());
            assertEquals(LEGIT_CALLS, successfulCalls(legit), legit.output());

            int answered = successfulCalls(flooded);
            // a bucket admits its burst and then RATE a second, however fast the flood comes
            long admissible = BURST + Math.round(Math.ceil(seconds) * RATE);
            assertTrue(answered <= admissible, "the flood got " + answered + " answers in " + seconds + " s, more than "
                    + admissible + "\n" + flooded.output());
            assertTrue(answered >= 1, "the flooding source is limited, not cut off: " + flooded.output());

            List<String> limited = log.lines("request-rate-limited src=" + FLOODER);
            assertEquals(1, limited.size(), "one security event for the start of limiting, not one per packet: " + limited);
            assertEquals(List.of(), log.lines("request-rate-limited src=" + CARRIER));
        }
    }

    @Test
    void overTheLimitWithReject503TheFloodGets503WithRetryAfter() throws Exception {
        int pbxPort = FreePorts.udpAndTcp();
        try (RunningProxy proxy = model("REJECT_503", pbxPort).start(dataDirectory)) {
            ProcessOutput flooded = Sipp.client("flood-invite.xml", Map.of("answer", "503"), "udp", FLOODER, "127.0.0.1",
                    proxy.sipPort, "-m", "200", "-r", "500", "-nr", "-l", "200");
            int rejected = successfulCalls(flooded);
            assertTrue(rejected >= 200 - BURST - 20 && rejected < 200, "503s: " + rejected + "\n" + flooded.output());
            assertTrue(flooded.output().contains("Retry-After: 1"), flooded.output());
        }
    }

    static int successfulCalls(ProcessOutput sipp) {
        Matcher matcher = SUCCESSFUL.matcher(sipp.output());
        List<Integer> counts = new ArrayList<>();
        while (matcher.find()) {
            counts.add(Integer.parseInt(matcher.group(1)));
        }
        assertTrue(!counts.isEmpty(), "no sipp statistics in:\n" + sipp.output());
        return counts.get(counts.size() - 1);
    }
}
