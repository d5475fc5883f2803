package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.config.ConfigLoader;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * Settings that were once read at start only, applied by a reload and seen from outside: the
 * per-source rate limit (an attacker's burst of OPTIONS), the brute-force policy (wrong passwords),
 * the registrar's intervals, the media timeout (a call without media). And a reload that moves what
 * only a restart can move, refused with every such key named while the proxy serves on as before.
 */
class LivePolicyReloadTest {
    @TempDir
    Path dataDirectory;

    static final String ATTACKER = "127.0.0.7";

    private static String rateLimit(int perSecond, int burst) {
        return """
                security:
                  requestsPerSecondPerSource: %d
                  requestBurstPerSource: %d
                  overRequestLimit: REJECT_503
                """.formatted(perSecond, burst);
    }

    /** OPTIONS one after another from one source, each answer awaited; how many got 503. */
    private static int refused(RunningProxy proxy, int requests) throws Exception {
        int refused = 0;
        try (UdpSipClient attacker = new UdpSipClient(ATTACKER, "127.0.0.1", proxy.sipPort)) {
            for (int i = 0; i < requests; i++) {
                String answer = attacker.exchange(attacker.request("OPTIONS", "sip:127.0.0.1:" + proxy.sipPort, "scan",
                        "scan", "rate-" + System.nanoTime(), 1, ""));
                assertTrue(answer.startsWith("SIP/2.0 "), "every request is answered (200, or 503 over the limit): " + answer);
                if (answer.startsWith("SIP/2.0 503")) {
                    refused++;
                }
            }
        }
        return refused;
    }

    @Test
    void aReloadedRateLimitChangesWhatABurstFromOneSourceGets() throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory, rateLimit(1, 5))) {
            assertTrue(refused(proxy, 40) >= 1, "a burst of 40 over a bucket of 5 at 1/s meets 503s");

            proxy.reload(rateLimit(1000, 1000));
            // The source's bucket is kept (a flood gets no fresh burst from a reload); it refills at the
            // new rate: a burst well inside the new limit soon passes whole (bounded wait, no fixed sleep).
            int refusedAfterRaise = refused(proxy, 40);
            for (int attempt = 0; attempt < 100 && refusedAfterRaise > 0; attempt++) {
                Thread.sleep(100);
                refusedAfterRaise = refused(proxy, 40);
            }
            assertEquals(0, refusedAfterRaise, "the raised limit is in force");

            proxy.reload(rateLimit(1, 5));
            assertTrue(refused(proxy, 40) >= 1, "lowered again: the bucket is cut to the new burst at once");
        }
    }

    private RunningProxy digestPhone(String extra) throws Exception {
        return new RunningProxy(dataDirectory, extra + phone());
    }

    private static String phone() {
        String ha1 = DigestChecksum.compute(DigestAlgorithm.MD5, "alice", "ccmsipline", "alice-secret".toCharArray())
                .toStoredForm().substring(4);
        return """
                phoneSecurityProfiles:
                  - {name: digest phones, enableDigestAuthentication: true}
                endUsers:
                  - {userId: alice, digestCredentials: {MD5: %s}}
                phones:
                  - {deviceName: SEPALICE00001, securityProfile: digest phones, digestUser: alice, lines: ["2001"]}
                """.formatted(ha1);
    }

    private static String bruteForce(int limit) {
        return """
                security:
                  digestFailureLimit: %d
                  digestFailureWindow: 300
                  digestBlockSeconds: 600
                  blockedSource: REJECT_403
                """.formatted(limit);
    }

    private static ProcessOutput register(RunningProxy proxy, String password, String expect) {
        return Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice", "password", password,
                "contact", "sip:2001@127.0.0.1:5999", "expect", expect), "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
    }

    @Test
    void aLoweredBruteForceLimitBlocksTheGuesserAtItsNextFailure() throws Exception {
        try (RunningProxy proxy = digestPhone(bruteForce(10))) {
            for (int attempt = 1; attempt <= 3; attempt++) {
                ProcessOutput wrong = register(proxy, "guess-" + attempt, "401");
                assertEquals(0, wrong.exitCode(), "attempt " + attempt + " under a limit of 10: " + wrong.output());
            }
            proxy.reload(bruteForce(3) + phone());
            // the failures counted before the reload count against the new limit
            ProcessOutput blocked = register(proxy, "guess-4", "403");
            assertEquals(0, blocked.exitCode(), blocked.output());
            ProcessOutput evenRight = register(proxy, "alice-secret", "403");
            assertEquals(0, evenRight.exitCode(), "the source is blocked whatever it sends: " + evenRight.output());
        }
    }

    @Test
    void reloadedRegistrarIntervalsApplyToTheNextRegister() throws Exception {
        try (RunningProxy proxy = digestPhone("")) {
            // sipp asks for Expires: 600, inside the default 60..3600
            ProcessOutput accepted = register(proxy, "alice-secret", "200");
            assertEquals(0, accepted.exitCode(), accepted.output());
            proxy.reload("registrar: {minExpires: 900, maxExpires: 3600, defaultExpires: 3600}\n" + phone());
            ProcessOutput tooBrief = register(proxy, "alice-secret", "423");
            assertEquals(0, tooBrief.exitCode(), tooBrief.output());
            assertTrue(tooBrief.output().contains("Min-Expires: 900"), tooBrief.output());
        }
    }

    @Test
    void aReloadedMediaTimeoutEndsTheNextSilentCall() throws Exception {
        int pbxPort = FreePorts.udpAndTcp();
        String trunks = new ProxyFixture().carrierAndPbx("127.0.0.2", FreePorts.udpAndTcp(), "127.0.0.3", pbxPort).extraYaml();
        try (RunningProxy proxy = new RunningProxy(dataDirectory, "media: {mediaTimeout: 600}\n" + trunks)) {
            proxy.reload("media: {mediaTimeout: 5}\n" + trunks);
            try (Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.3", pbxPort)) {
                // neither sipp sends RTP and each waits 15 s for a BYE: only a 5 s media timeout sends it
                ProcessOutput caller = Sipp.client("uac-call-remote-bye.xml", Map.of("caller", "5550100", "called", "8100"),
                        "udp", "127.0.0.2", "127.0.0.1", proxy.sipPort);
                ProcessOutput legB = pbx.finish();
                assertEquals(0, caller.exitCode(), caller.output() + "\npbx:\n" + legB.output());
                assertEquals(0, legB.exitCode(), legB.output());
            }
        }
    }

    @Test
    void aReloadThatMovesWhatOnlyARestartMovesIsRefusedNamingEachKeyAndTheProxyServesOn() throws Exception {
        try (RunningProxy proxy = digestPhone("")) {
            int otherPort = FreePorts.udpAndTcp();
            // warmUp as RunningProxy starts a proxy without a media section: this reload moves the ports only
            String moved = proxy.yaml("media: {portMin: 30000, portMax: 30999, warmUp: false}\n"
                    + "database: {url: \"jdbc:postgresql://127.0.0.1:5432/sipshield\"}\n"
                    + "registrar: {minExpires: 900, maxExpires: 3600, defaultExpires: 3600}\n" + phone())
                    .replace("port: " + proxy.tlsPort + "}", "port: " + otherPort + "}");
            ReloadRefusedException refused = assertThrows(ReloadRefusedException.class,
                    () -> proxy.server.reload(ConfigLoader.parse(moved, "moved.yaml")));
            List<String> problems = refused.problems();
            assertEquals(4, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("listeners: ") && problems.get(0).contains(":" + otherPort + "]"),
                    problems.toString());
            assertTrue(problems.contains("database.url: null -> jdbc:postgresql://127.0.0.1:5432/sipshield changes only with a restart"),
                    problems.toString());
            assertTrue(problems.contains("media.portMin: 20000 -> 30000 changes only with a restart"), problems.toString());
            assertTrue(problems.contains("media.portMax: 29999 -> 30999 changes only with a restart"), problems.toString());

            // nothing of the file applied: the old listener serves, the old registrar intervals hold
            String tls = OpenSslClient.exchange("127.0.0.1", proxy.tlsPort, OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort));
            assertTrue(tls.contains("SIP/2.0 200"), tls);
            ProcessOutput register = register(proxy, "alice-secret", "200");
            assertEquals(0, register.exitCode(), register.output());
            assertNotEquals(900, proxy.server.config().registrar().minExpires());
        }
    }
}
