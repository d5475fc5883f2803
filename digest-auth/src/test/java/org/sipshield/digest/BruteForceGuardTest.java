package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.*;
import static org.sipshield.digest.DigestAuthenticatorTest.address;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.MutableClock;

class BruteForceGuardTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final InetSocketAddress attacker = address(203, 0, 113, 9, 5060);
    final InetSocketAddress neighbour = address(203, 0, 113, 10, 5060);

    BruteForceGuard guard(BlockAction action) {
        return new BruteForceGuard(BruteForcePolicy.builder().maxFailuresPerUser(3).maxFailuresPerSource(10)
                .window(Duration.ofSeconds(60)).coolDown(Duration.ofSeconds(300)).action(action).build(), clock);
    }

    @Test
    void theUserFromThatSourceIsBlockedAtTheLimitUntilTheCoolDownEnds() {
        BruteForceGuard g = guard(BlockAction.REJECT_403);
        assertTrue(g.recordFailure(attacker, "bob", "ccmsipline").isEmpty());
        assertTrue(g.recordFailure(attacker, "bob", "ccmsipline").isEmpty());
        assertTrue(g.blocked(attacker.getAddress(), "bob").isEmpty());
        SecurityEvent e = g.recordFailure(attacker, "bob", "ccmsipline").orElseThrow();
        assertEquals(SecurityEvent.Type.DIGEST_AUTH_BLOCKED, e.type());
        assertEquals("user-limit-reject", e.reason());
        assertEquals(Optional.of(BlockAction.REJECT_403), g.blocked(attacker.getAddress(), "bob"));
        assertTrue(g.blocked(attacker.getAddress(), "alice").isEmpty(), "other phones behind the same NAT keep working");
        assertTrue(g.blocked(attacker.getAddress()).isEmpty());
        assertTrue(g.blocked(neighbour.getAddress(), "bob").isEmpty());

        clock.advance(Duration.ofSeconds(299));
        assertTrue(g.blocked(attacker.getAddress(), "bob").isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(g.blocked(attacker.getAddress(), "bob").isEmpty(), "cool-down over");
        assertTrue(g.recordFailure(attacker, "bob", "ccmsipline").isEmpty(), "the count starts again from zero");
    }

    @Test
    void anOperatorSeesTheBlocksAndLiftsThoseOfOneSourceWithItsCounts() {
        BruteForceGuard g = guard(BlockAction.REJECT_403);
        for (int i = 0; i < 3; i++) {
            g.recordFailure(attacker, "bob", "ccmsipline");
            g.recordFailure(neighbour, "carol", "ccmsipline");
        }
        g.recordFailure(attacker, "dave", "ccmsipline");
        assertEquals(List.of(new BruteForceGuard.Block("203.0.113.9", "bob", clock.instant().plusSeconds(300)),
                new BruteForceGuard.Block("203.0.113.10", "carol", clock.instant().plusSeconds(300))), g.blocks());

        assertTrue(g.unblock(attacker.getAddress()));
        assertTrue(g.blocked(attacker.getAddress(), "bob").isEmpty());
        assertEquals(1, g.blocks().size(), "the neighbour's block stays");
        assertFalse(g.unblock(attacker.getAddress()), "nothing left to lift");
        assertTrue(g.recordFailure(attacker, "dave", "ccmsipline").isEmpty());
        assertTrue(g.recordFailure(attacker, "dave", "ccmsipline").isEmpty(), "dave's earlier failure was forgotten too");
        clock.advance(Duration.ofSeconds(300));
        assertEquals(List.of(), g.blocks(), "an ended block is not listed");
    }

    @Test
    void aScanOverManyUsersBlocksTheWholeSource() {
        BruteForceGuard g = guard(BlockAction.DROP);
        for (int i = 0; i < 9; i++) {
            assertTrue(g.recordFailure(attacker, "user" + i, "ccmsipline").isEmpty());
        }
        SecurityEvent e = g.recordFailure(attacker, "user9", "ccmsipline").orElseThrow();
        assertEquals("source-limit-drop", e.reason());
        assertEquals(Optional.of(BlockAction.DROP), g.blocked(attacker.getAddress()));
        assertEquals(Optional.of(BlockAction.DROP), g.blocked(attacker.getAddress(), "anyone"));
        assertTrue(g.blocked(neighbour.getAddress()).isEmpty());
        clock.advance(Duration.ofSeconds(300));
        assertTrue(g.blocked(attacker.getAddress()).isEmpty());
    }

    @Test
    void failuresInAnEarlierWindowDoNotAddUp() {
        BruteForceGuard g = guard(BlockAction.REJECT_403);
        g.recordFailure(attacker, "bob", "r");
        g.recordFailure(attacker, "bob", "r");
        clock.advance(Duration.ofSeconds(60));
        assertTrue(g.recordFailure(attacker, "bob", "r").isEmpty());
        assertTrue(g.recordFailure(attacker, "bob", "r").isEmpty());
        assertTrue(g.blocked(attacker.getAddress(), "bob").isEmpty());
        assertTrue(g.recordFailure(attacker, "bob", "r").isPresent());
    }

    @Test
    void successClearsTheUsersCountButNotTheSources() {
        BruteForceGuard g = guard(BlockAction.REJECT_403);
        for (int round = 0; round < 4; round++) {
            g.recordFailure(attacker, "bob", "r");
            g.recordFailure(attacker, "bob", "r");
            g.recordSuccess(attacker.getAddress(), "bob");
        }
        assertTrue(g.blocked(attacker.getAddress(), "bob").isEmpty(), "8 failures, never 3 in a row");
        g.recordFailure(attacker, "bob", "r");
        SecurityEvent e = g.recordFailure(attacker, "bob", "r").orElseThrow();
        assertEquals("source-limit-reject", e.reason(), "the source count was not reset by the successes");
    }

    @Test
    void memoryIsBoundedAndAFloodOfCountersCannotEvictABlock() {
        BruteForceGuard g = new BruteForceGuard(BruteForcePolicy.builder().maxFailuresPerUser(2).maxFailuresPerSource(100)
                .maxTrackedKeys(16).build(), clock);
        g.recordFailure(attacker, "bob", "r");
        g.recordFailure(attacker, "bob", "r");
        assertTrue(g.blocked(attacker.getAddress(), "bob").isPresent());
        for (int i = 0; i < 2000; i++) {
            g.recordFailure(address(10, (i >> 16) & 255, (i >> 8) & 255, i & 255, 5060), "u" + i, "r");
            assertTrue(g.trackedCounters() <= 16);
        }
        assertTrue(g.blocked(attacker.getAddress(), "bob").isPresent());
        for (int i = 0; i < 100; i++) {
            InetSocketAddress src = address(172, 16, 0, i, 5060);
            g.recordFailure(src, "x", "r");
            g.recordFailure(src, "x", "r");
            assertTrue(g.trackedBlocks() <= 16);
        }
    }

    @Test
    void onlyBadCredentialsCountChallengesDoNot() {
        String realm = "ccmsipline";
        SecureRandom random = new SecureRandom();
        DigestAuthenticator server = new DigestAuthenticator(DigestPolicy.builder(realm).build(), NonceSecret.generate(random),
                InMemoryDigestUserDirectory.builder().add(realm, "bob", DigestChecksum.computeAll("bob", realm, "pw".toCharArray()))
                        .build(), clock, random);
        BruteForceGuard g = guard(BlockAction.REJECT_403);
        DigestRequest req = DigestRequest.of("REGISTER", DigestAuthenticatorTest.URI, attacker, "c1");
        for (int i = 0; i < 50; i++) {
            DigestVerification v = server.verify(req, List.of());
            if (v.outcome().countsAsFailedAttempt()) {
                g.recordFailure(req.source(), v.claimedUser(), realm);
            }
        }
        assertTrue(g.blocked(attacker.getAddress(), "bob").isEmpty());
        DigestClient wrong = DigestAuthenticatorTest.client(realm, "bob", "guess");
        Optional<SecurityEvent> blockEvent = Optional.empty();
        for (int i = 0; i < 3; i++) {
            DigestVerification v = server.verify(req, DigestAuthenticatorTest.header(
                    DigestAuthenticatorTest.answer(wrong, server.challenge(req), "REGISTER")));
            assertEquals(DigestOutcome.BAD_CREDENTIALS, v.outcome());
            blockEvent = g.recordFailure(req.source(), v.claimedUser(), realm);
        }
        assertEquals("SECURITY digest-auth-blocked src=203.0.113.9 port=5060 user=\"bob\" realm=\"ccmsipline\" "
                + "reason=user-limit-reject", blockEvent.orElseThrow().toLogLine());
        assertEquals(Optional.of(BlockAction.REJECT_403), g.blocked(attacker.getAddress(), "bob"));
    }

    @Test
    void policyIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> BruteForcePolicy.builder().maxFailuresPerUser(0).build());
        assertThrows(IllegalArgumentException.class, () -> BruteForcePolicy.builder().window(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> BruteForcePolicy.builder().coolDown(Duration.ofSeconds(-1)).build());
        assertThrows(IllegalArgumentException.class, () -> BruteForcePolicy.builder().maxTrackedKeys(1).build());
        assertThrows(IllegalArgumentException.class, () -> BruteForcePolicy.builder().action(null).build());
        assertEquals(BlockAction.REJECT_403, BruteForcePolicy.builder().build().action());
    }
}
