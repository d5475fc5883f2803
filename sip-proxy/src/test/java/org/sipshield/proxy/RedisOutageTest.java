package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.ClusterCountersTest.A;
import static org.sipshield.proxy.ClusterCountersTest.answer;
import static org.sipshield.proxy.ClusterCountersTest.awaitTrue;
import static org.sipshield.proxy.ClusterCountersTest.crack;
import static org.sipshield.proxy.ClusterCountersTest.send;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.management.AdminToken;
import org.sipshield.proxy.management.Curl;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ThrowAwayRedis;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * Redis stopped under a running node, as an outage would: the rule of redis.unavailable applies at
 * once, is logged once when the outage starts and once when it ends, shows in /health/ready and
 * in the metrics, and the node shares its counters again once Redis is back.
 */
class RedisOutageTest {
    static final String CLUSTER_LOG = "org.sipshield.proxy.cluster.ClusterCounters";
    static ThrowAwayRedis redis;

    @TempDir
    Path dataDirectory;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = ThrowAwayRedis.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    /** A test that failed with Redis stopped must not leave the next one without it. */
    @AfterEach
    void redisBack() throws Exception {
        redis.stopServer();
        redis.startServer();
    }

    private RunningProxy node(String unavailable, int managementPort) throws Exception {
        return ClusterCountersTest.sharingNode(dataDirectory, A, redis.yaml(unavailable)
                + ClusterCountersTest.management(A, managementPort));
    }

    @Test
    void localOnlyCountsAloneWhileRedisIsDownAndSaysSo() throws Exception {
        int port = FreePorts.udpAndTcp();
        try (SecurityLog everything = new SecurityLog("ROOT"); RunningProxy a = node("LOCAL_ONLY", port);
                SecurityLog cluster = new SecurityLog(CLUSTER_LOG)) {
            Curl curl = new Curl(dataDirectory, A, port);
            String token = new AdminToken(dataDirectory).rotate();
            assertEquals("ready\n", curl.get("/health/ready", token).body());
            assertTrue(curl.get("/metrics", token).body().contains("sipshield_redis_available 1.0"));

            redis.stopServer();
            awaitTrue(() -> curl.get("/health/ready", token).body().startsWith("ready, degraded: redis unavailable"),
                    "readiness never showed the outage");
            Curl.Answer ready = curl.get("/health/ready", token);
            assertEquals(200, ready.status(), "LOCAL_ONLY: the node still serves");
            assertTrue(ready.body().contains("LOCAL_ONLY, each node counts alone"), ready.body());
            String metrics = curl.get("/metrics", token).body();
            assertTrue(metrics.contains("sipshield_redis_available 0.0"), metrics);
            assertTrue(metrics.contains("sipshield_redis_outages_total 1.0"), metrics);

            // phones still register, and the guard still blocks, in this node's memory
            assertEquals(0, crack(a, "alice-secret", "200").exitCode());
            assertEquals(0, crack(a, "guess-1", "401").exitCode());
            assertEquals(0, crack(a, "guess-2", "401").exitCode());
            assertEquals(0, crack(a, "guess-3", "403").exitCode());

            redis.startServer();
            awaitTrue(() -> curl.get("/health/ready", token).body().equals("ready\n"), "the node never found Redis back");
            assertEquals(1, cluster.lines("redis unavailable").size(), cluster.lines("").toString());
            assertEquals(1, cluster.lines("available again").size(), cluster.lines("").toString());
            assertFalse(everything.lines(ThrowAwayRedis.PASSWORD).stream().findAny().isPresent(), "the Redis password was logged");
        }
    }

    /**
     * A block made in Redis before the outage still holds during it: knocking Redis over must not
     * let the attacker guess on (before the copy, LOCAL_ONLY fell back to empty local counters).
     */
    @Test
    void localOnlyStillEnforcesTheBlocksRedisHeldWhenItWentDown() throws Exception {
        int port = FreePorts.udpAndTcp();
        try (RunningProxy a = node("LOCAL_ONLY", port); SecurityLog security = new SecurityLog("sipshield.security")) {
            Curl curl = new Curl(dataDirectory, A, port);
            String token = new AdminToken(dataDirectory).rotate();
            assertEquals(0, crack(a, "guess-1", "401").exitCode());
            assertEquals(0, crack(a, "guess-2", "401").exitCode());
            assertEquals(0, crack(a, "guess-3", "403").exitCode());
            assertEquals(1, security.lines("SECURITY digest-auth-blocked").size(), security.lines("SECURITY").toString());

            redis.stopServer();
            awaitTrue(() -> curl.get("/health/ready", token).body().startsWith("ready, degraded: redis unavailable"),
                    "readiness never showed the outage");
            ProcessOutput rightPassword = crack(a, "alice-secret", "403");
            assertEquals(0, rightPassword.exitCode(), "the block held in Redis was lifted by its outage:\n"
                    + rightPassword.output());
            assertTrue(curl.get("/api/blocked", token).body().contains("brute-force"), "the admin API lost the shared block");
        }
    }

    @Test
    void failClosedRefusesChallengeAnswersWhileRedisIsDownAndIsNotReady() throws Exception {
        int port = FreePorts.udpAndTcp();
        try (RunningProxy a = node("FAIL_CLOSED", port); SecurityLog cluster = new SecurityLog(CLUSTER_LOG)) {
            Curl curl = new Curl(dataDirectory, A, port);
            String token = new AdminToken(dataDirectory).rotate();
            assertTrue(send(a, "closed-1", answer(send(a, "closed-0", null))).startsWith("SIP/2.0 200"));

            redis.stopServer();
            awaitTrue(() -> curl.get("/health/ready", token).status() == 503, "readiness never showed the outage");
            assertTrue(curl.get("/health/ready", token).body().contains("FAIL_CLOSED, challenge answers refused"));
            // a challenge needs no shared state; the answer to it cannot be checked, so it is refused
            String challenge = send(a, "closed-2", null);
            String refused = send(a, "closed-3", answer(challenge));
            assertTrue(refused.startsWith("SIP/2.0 503"), refused);
            assertEquals("30", UdpSipClient.header(refused, "Retry-After").split(";")[0].trim(), refused);
            assertEquals(1, cluster.lines("redis unavailable").size(), cluster.lines("").toString());

            redis.startServer();
            awaitTrue(() -> curl.get("/health/ready", token).status() == 200, "the node never found Redis back");
            assertTrue(send(a, "closed-5", answer(send(a, "closed-4", null))).startsWith("SIP/2.0 200"));
        }
    }
}
