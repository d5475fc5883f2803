package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.ClusterCountersTest.A;
import static org.sipshield.proxy.ClusterCountersTest.B;
import static org.sipshield.proxy.ClusterCountersTest.answer;
import static org.sipshield.proxy.ClusterCountersTest.crack;
import static org.sipshield.proxy.ClusterCountersTest.node;
import static org.sipshield.proxy.ClusterCountersTest.send;
import static org.sipshield.proxy.ClusterCountersTest.shareNonceKey;
import static org.sipshield.proxy.ClusterCountersTest.sharingNode;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.proxy.peers.ThrowAwayRedis;

/**
 * The counters over TLS (rediss://, redis.caFile): two nodes share them through a Redis that speaks
 * TLS only, and a node whose caFile does not vouch for the server's certificate never uses it.
 */
class RedisTlsTest {
    static ThrowAwayRedis redis;

    @TempDir
    Path nodeA;
    @TempDir
    Path nodeB;
    @TempDir
    Path otherCa;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = ThrowAwayRedis.startTls();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void wrongPasswordsOverTwoNodesAddUpInARedisReachedOverTls() throws Exception {
        shareNonceKey(nodeA, nodeB);
        try (RunningProxy a = sharingNode(nodeA, A, redis.yaml("FAIL_CLOSED"));
                RunningProxy b = sharingNode(nodeB, B, redis.yaml("FAIL_CLOSED"))) {
            assertEquals(null, a.server.notReadyBecause());
            assertEquals(0, crack(a, "guess-1", "401").exitCode());
            assertEquals(0, crack(b, "guess-2", "401").exitCode());
            ProcessOutput third = crack(a, "guess-3", "403");
            assertEquals(0, third.exitCode(), third.output());
            ProcessOutput blocks = redis.redisCli("ZRANGE", "sipshield:blocks:digest", "0", "-1");
            assertTrue(blocks.output().contains("127.0.0.1"), blocks.output());
        }
    }

    @Test
    void aNodeWhoseCaFileDoesNotNameTheServerRefusesIt() throws Exception {
        Path untrusted = new TestCertificates(otherCa).caCertificate();
        try (RunningProxy a = node(nodeA, A, redis.yaml("FAIL_CLOSED", untrusted))) {
            String why = a.server.notReadyBecause();
            assertTrue(why != null && why.startsWith("redis unavailable"), String.valueOf(why));
            String refused = send(a, "tls-2", answer(send(a, "tls-1", null)));
            assertTrue(refused.startsWith("SIP/2.0 503"), refused);
        }
    }
}
