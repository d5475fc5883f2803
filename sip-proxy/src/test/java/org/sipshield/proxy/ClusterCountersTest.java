package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.digest.DigestClient;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.digest.SipRealmCredentials;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.management.AdminToken;
import org.sipshield.proxy.management.Curl;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.ThrowAwayRedis;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * Two nodes on their own loopback addresses sharing one Redis (redis.url, an ACL user and its
 * password file) and one digest-nonce.key, attacked as a phone's attacker would: a nonce one node
 * issued is good at the other, a (nonce, nc) used at one is a replay at the other, and wrong
 * passwords spread over both nodes are blocked at the limit counted over both. The controls show
 * what each node alone would have let through.
 */
class ClusterCountersTest {
    static final String A = "127.0.0.11";
    static final String B = "127.0.0.12";
    /** One Request-URI for every REGISTER, so credentials computed for it fit either node. */
    static final String REGISTER_URI = "sip:cluster.sipshield.test";
    static final String SECURITY = "security: {digestFailureLimit: 3, blockedSource: REJECT_403}\n";
    static ThrowAwayRedis redis;

    @TempDir
    Path nodeA;
    @TempDir
    Path nodeB;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = ThrowAwayRedis.start();
    }

    /** Blocks live for minutes: one test's must not meet the next one's phone. */
    @BeforeEach
    void emptyRedis() {
        ProcessOutput flushed = redis.redisCli("FLUSHALL");
        assertEquals("OK", flushed.output().trim(), flushed.output());
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    /** Every node of a cluster holds the same nonce key: written before start, as an operator copies it. */
    static void shareNonceKey(Path... dataDirectories) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        for (Path directory : dataDirectories) {
            Path file = directory.resolve("digest-nonce.key");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
        }
    }

    static RunningProxy node(Path dataDirectory, String address, String sharedSections) throws Exception {
        return RunningProxy.onAddress(dataDirectory, address, "nodeName: node-" + address,
                B2buaCallTest.model() + SECURITY + sharedSections);
    }

    /** A node that counts in Redis from its first request: one whose first connection was slow waits for its probe. */
    static RunningProxy sharingNode(Path dataDirectory, String address, String redisSection) throws Exception {
        RunningProxy node = node(dataDirectory, address, redisSection);
        try {
            awaitTrue(() -> node.server.degradedBecause() == null, "the node never reached Redis");
        } catch (AssertionError | InterruptedException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** A REGISTER of line 2001 from this client, with credentials (null: none), on a Call-ID of its own. */
    static String register(UdpSipClient phone, String callId, String credentials) {
        return phone.request("REGISTER", REGISTER_URI, "2001", "2001", callId, 1,
                "Expires: 600\r\n" + (credentials == null ? "" : "Authorization: " + credentials + "\r\n"));
    }

    /** Alice's answer to the challenge in a 401 (nc=00000001). */
    static String answer(String unauthorized) {
        assertTrue(unauthorized.startsWith("SIP/2.0 401"), unauthorized);
        DigestClient alice = new DigestClient(realm -> Optional.of(new SipRealmCredentials(realm, "alice",
                "alice-secret".toCharArray())), new SecureRandom());
        return alice.answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(UdpSipClient.header(unauthorized,
                "WWW-Authenticate")), "REGISTER", REGISTER_URI, null, null).headerValue().orElseThrow();
    }

    /** One request on a socket of its own towards a node; its final answer. */
    static String send(RunningProxy node, String callId, String credentials) throws Exception {
        try (UdpSipClient phone = new UdpSipClient("127.0.0.1", node.address, node.sipPort)) {
            return phone.exchange(register(phone, callId, credentials));
        }
    }

    @Test
    void aNonceIssuedByAIsGoodAtBAndANonceCountUsedAtAIsAReplayAtB() throws Exception {
        shareNonceKey(nodeA, nodeB);
        try (RunningProxy a = sharingNode(nodeA, A, redis.yaml("LOCAL_ONLY"));
                RunningProxy b = sharingNode(nodeB, B, redis.yaml("LOCAL_ONLY"));
                SecurityLog log = new SecurityLog()) {
            String issuedByA = answer(send(a, "nonce-1", null));
            String atB = send(b, "nonce-2", issuedByA);
            assertTrue(atB.startsWith("SIP/2.0 200"), "B refused a nonce A issued:\n" + atB);

            String usedAtA = answer(send(a, "nonce-3", null));
            assertTrue(send(a, "nonce-4", usedAtA).startsWith("SIP/2.0 200"));
            String replayed = send(b, "nonce-5", usedAtA);
            assertTrue(replayed.startsWith("SIP/2.0 401"), "B took a (nonce, nc) A had accepted:\n" + replayed);
            assertTrue(UdpSipClient.header(replayed, "WWW-Authenticate").contains("stale=true"), replayed);
            assertEquals(1, log.lines("reason=replay").size(), log.lines("SECURITY").toString());
        }
    }

    @Test
    void controlEachNodeAloneTakesAReplayOfWhatTheOtherAccepted() throws Exception {
        shareNonceKey(nodeA, nodeB);
        try (RunningProxy a = node(nodeA, A, ""); RunningProxy b = node(nodeB, B, "")) {
            String usedAtA = answer(send(a, "alone-1", null));
            assertTrue(send(a, "alone-2", usedAtA).startsWith("SIP/2.0 200"));
            String replayed = send(b, "alone-3", usedAtA);
            assertTrue(replayed.startsWith("SIP/2.0 200"), "without Redis B cannot know: " + replayed);
        }
    }

    @Test
    void aNodeWithAnotherNonceKeyRefusesTheOthersNonces() throws Exception {
        try (RunningProxy a = sharingNode(nodeA, A, redis.yaml("LOCAL_ONLY"));
                RunningProxy b = sharingNode(nodeB, B, redis.yaml("LOCAL_ONLY"))) {
            String issuedByA = answer(send(a, "keys-1", null));
            String atB = send(b, "keys-2", issuedByA);
            assertTrue(atB.startsWith("SIP/2.0 401") && !atB.contains("stale=true"),
                    "a nonce signed with another key must not pass:\n" + atB);
        }
    }

    @Test
    void wrongPasswordsAlternatingBetweenTheNodesAreBlockedAtTheLimitCountedOverBoth() throws Exception {
        shareNonceKey(nodeA, nodeB);
        try (RunningProxy a = sharingNode(nodeA, A, redis.yaml("LOCAL_ONLY"));
                RunningProxy b = sharingNode(nodeB, B, redis.yaml("LOCAL_ONLY"));
                SecurityLog log = new SecurityLog()) {
            // digestFailureLimit 3: A sees failures 1 and 3, B failure 2; neither alone reaches 3
            assertEquals(0, crack(a, "guess-1", "401").exitCode());
            assertEquals(0, crack(b, "guess-2", "401").exitCode());
            ProcessOutput third = crack(a, "guess-3", "403");
            assertEquals(0, third.exitCode(), third.output());
            ProcessOutput rightAtB = crack(b, "alice-secret", "403");
            assertEquals(0, rightAtB.exitCode(), "the block made at A holds at B:\n" + rightAtB.output());
            assertEquals(1, log.lines("SECURITY digest-auth-blocked").size(), log.lines("SECURITY").toString());
        }
    }

    /**
     * The same attack as the scanner would run it: Debian's svcrack with a dictionary against node A,
     * then the rest of the dictionary, the right password last, against node B. Counted over both
     * nodes, the third wrong guess blocks the source and the right one is never accepted. The
     * control first: svcrack does find the password when it tries it straight away.
     */
    @Test
    void svcrackSplitBetweenTheNodesIsBlockedAtTheLimitCountedOverBoth() throws Exception {
        shareNonceKey(nodeA, nodeB);
        try (RunningProxy a = sharingNode(nodeA, A, redis.yaml("LOCAL_ONLY"));
                RunningProxy b = sharingNode(nodeB, B, redis.yaml("LOCAL_ONLY"));
                SecurityLog log = new SecurityLog()) {
            ProcessOutput control = svcrack(b, "alice-secret");
            assertTrue(control.output().contains("alice-secret"), "the control crack must succeed:\n" + control.output());

            ProcessOutput atA = svcrack(a, "guess-1", "guess-2");
            assertFalse(atA.output().contains("alice-secret"), atA.output());
            ProcessOutput atB = svcrack(b, "guess-3", "alice-secret");
            assertFalse(atB.output().contains("alice-secret"), "svcrack found the password at B:\n" + atB.output());
            assertEquals(1, log.lines("SECURITY digest-auth-blocked").size(), log.lines("SECURITY").toString());
        }
    }

    /** svcrack against one node: user alice, line 2001, these passwords in this order. */
    static ProcessOutput svcrack(RunningProxy node, String... passwords) throws Exception {
        Path work = Files.createTempDirectory("svcrack");
        Path dictionary = Files.writeString(work.resolve("dictionary.txt"), String.join("\n", passwords) + "\n");
        // sipvicious keeps sessions under $HOME/.sipvicious: one fresh home per run
        return ProcessOutput.run(List.of("env", "HOME=" + work, "svcrack", "-u", "alice", "-e", "2001", "-d",
                dictionary.toString(), "-p", Integer.toString(node.sipPort), node.address), work, 60);
    }

    /** sipp's REGISTER of alice with this password: 401, then the answer, which must get expect. */
    static ProcessOutput crack(RunningProxy node, String password, String expect) {
        return Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice", "password", password,
                "contact", "sip:2001@127.0.0.1:" + FreePorts.udpAndTcp(), "expect", expect),
                "udp", "127.0.0.1", node.address, node.sipPort);
    }

    @Test
    void anOperatorBlockMadeThroughAHoldsAtBAndALiftThroughBHoldsAtA() throws Exception {
        shareNonceKey(nodeA, nodeB);
        int managementA = FreePorts.udpAndTcp();
        int managementB = FreePorts.udpAndTcp();
        String intruder = "127.0.0.21";
        try (RunningProxy a = sharingNode(nodeA, A, redis.yaml("LOCAL_ONLY") + management(A, managementA));
                RunningProxy b = sharingNode(nodeB, B, redis.yaml("LOCAL_ONLY") + management(B, managementB))) {
            Curl atA = new Curl(nodeA, A, managementA);
            Curl atB = new Curl(nodeB, B, managementB);
            String tokenA = new AdminToken(nodeA).rotate();
            String tokenB = new AdminToken(nodeB).rotate();
            try (UdpSipClient phone = new UdpSipClient(intruder, B, b.sipPort)) {
                assertTrue(phone.exchange(register(phone, "ban-1", null)).startsWith("SIP/2.0 401"), "answered before the block");

                Curl.Answer block = atA.json("POST", "/api/blocked", tokenA, "{\"source\": \"" + intruder + "\", \"seconds\": 600}");
                assertEquals(201, block.status(), block.output());
                awaitTrue(() -> atB.get("/api/blocked", tokenB).body().contains(intruder), "B never learnt A's block");
                assertEquals("(no answer within 5 s)", phone.exchange(register(phone, "ban-2", null)));

                Curl.Answer lift = atB.request("DELETE", "/api/blocked/" + intruder, tokenB, null);
                assertEquals(200, lift.status(), lift.output());
                awaitTrue(() -> !atA.get("/api/blocked", tokenA).body().contains(intruder), "A never learnt B's lift");
                assertTrue(phone.exchange(register(phone, "ban-3", null)).startsWith("SIP/2.0 401"), "answered after the lift");
            }
        }
    }

    static String management(String address, int port) {
        return "management: {address: " + address + ", port: " + port + "}\n";
    }

    /** Waits for the other node's once-a-second refresh; the bound only keeps a lost one from hanging the build. */
    static void awaitTrue(java.util.function.BooleanSupplier condition, String failure) throws InterruptedException {
        for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), failure);
    }
}
