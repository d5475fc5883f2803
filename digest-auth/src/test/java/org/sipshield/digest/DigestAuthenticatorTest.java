package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.MutableClock;

/** The server side driven by the real client, with a hand-moved clock. */
class DigestAuthenticatorTest {

    static final String REALM = "ccmsipline";
    static final String URI = "sip:ccmsipline.example";

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final SecureRandom random = new SecureRandom();
    final NonceSecret secret = NonceSecret.generate(random);
    final InMemoryDigestUserDirectory users = InMemoryDigestUserDirectory.builder()
            .add(REALM, "bob", DigestChecksum.computeAll("bob", REALM, "s3cret".toCharArray()))
            .add(REALM, "md5only", List.of(DigestChecksum.compute(DigestAlgorithm.MD5, "md5only", REALM, "pw".toCharArray())))
            .build();
    final InetSocketAddress phone = address(192, 0, 2, 10, 5060);
    final DigestRequest register = DigestRequest.of("REGISTER", URI, phone, "call-1@phone");

    static InetSocketAddress address(int a, int b, int c, int d, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    DigestAuthenticator server(DigestPolicy policy) {
        return new DigestAuthenticator(policy, secret, users, clock, random);
    }

    DigestAuthenticator server(DigestAlgorithm... algorithms) {
        return server(DigestPolicy.builder(REALM).algorithms(algorithms).build());
    }

    static DigestClient client(String realm, String user, String password) {
        SipRealmCredentials c = new SipRealmCredentials(realm, user, password.toCharArray());
        return new DigestClient(r -> r.equals(realm) ? Optional.of(c) : Optional.empty(), new SecureRandom());
    }

    static List<String> values(List<DigestChallenge> challenges) {
        return challenges.stream().map(DigestChallenge::toHeaderValue).collect(Collectors.toList());
    }

    static DigestAnswer answer(DigestClient client, List<DigestChallenge> challenges, String method) {
        DigestAnswer a = client.answer(DigestHeaderKind.WWW_AUTHENTICATE, values(challenges), method, URI);
        assertEquals(DigestAnswer.Status.ANSWERED, a.status());
        return a;
    }

    static String header(DigestAnswer a) {
        return a.headerValue().orElseThrow();
    }

    @Test
    void roundTripForEveryAlgorithm() {
        for (DigestAlgorithm alg : DigestAlgorithm.values()) {
            DigestAuthenticator server = server(alg);
            List<DigestChallenge> challenges = server.challenge(register);
            assertEquals(1, challenges.size());
            assertEquals(Optional.of(alg), challenges.get(0).algorithm());
            DigestAnswer a = answer(client(REALM, "bob", "s3cret"), challenges, "REGISTER");
            assertTrue(header(a).contains("algorithm=" + alg.token() + ","), header(a));
            DigestVerification v = server.verify(register, header(a));
            assertEquals(DigestOutcome.OK, v.outcome(), alg.token());
            assertEquals(Optional.of("bob"), v.authenticatedUser());
            assertTrue(v.challenges().isEmpty());
            assertTrue(v.securityEvent().isEmpty());
        }
    }

    @Test
    void severalAlgorithmsAreOfferedInPreferenceOrderAndTheClientTakesTheStrongest() {
        DigestAuthenticator server = server(DigestAlgorithm.SHA_512_256, DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
        List<DigestChallenge> challenges = server.challenge(register);
        assertEquals(List.of(DigestAlgorithm.SHA_512_256, DigestAlgorithm.SHA_256, DigestAlgorithm.MD5),
                challenges.stream().map(c -> c.algorithm().orElseThrow()).collect(Collectors.toList()));
        for (DigestChallenge c : challenges) {
            assertEquals(List.of("auth"), c.qopOptions());
            assertEquals(REALM, c.realm());
            assertTrue(c.opaque().isPresent());
            assertFalse(c.stale());
        }
        // Reversed on the wire, the client still picks SHA-512-256.
        List<DigestChallenge> reversed = new ArrayList<>(challenges);
        java.util.Collections.reverse(reversed);
        DigestAnswer a = answer(client(REALM, "bob", "s3cret"), reversed, "REGISTER");
        assertTrue(header(a).contains("algorithm=SHA-512-256"));
        assertEquals(DigestOutcome.OK, server.verify(register, header(a)).outcome());
    }

    @Test
    void anAlgorithmOutsideThePolicyIsRefusedEvenWithAValidNonceAndPassword() {
        DigestAuthenticator md5Server = server(DigestAlgorithm.MD5);
        DigestAuthenticator shaServer = server(DigestAlgorithm.SHA_256); // same secret and realm
        DigestAnswer a = answer(client(REALM, "bob", "s3cret"), shaServer.challenge(register), "REGISTER");
        assertEquals(DigestOutcome.OK, shaServer.verify(register, header(a)).outcome());
        DigestVerification v = md5Server.verify(register, header(a));
        assertEquals(DigestOutcome.ALGORITHM_NOT_ALLOWED, v.outcome());
        assertEquals("digest-auth-rejected", v.securityEvent().orElseThrow().type().token());
        assertEquals(DigestOutcome.ALGORITHM_NOT_ALLOWED,
                md5Server.verify(register, header(a).replace("algorithm=SHA-256", "algorithm=SHA-1")).outcome());
    }

    @Test
    void nonceOlderThanItsValidityIsStaleAndTheClientRecoversWithoutLooping() {
        DigestAuthenticator server = server(DigestPolicy.builder(REALM).nonceValiditySeconds(600).build());
        DigestClient client = client(REALM, "bob", "s3cret");
        DigestAnswer first = answer(client, server.challenge(register), "REGISTER");
        clock.advance(Duration.ofSeconds(600));
        assertEquals(DigestOutcome.OK, server.verify(register, header(first)).outcome(), "valid up to 600 s inclusive");

        DigestAnswer second = answer(client, server.challenge(register), "REGISTER");
        clock.advance(Duration.ofSeconds(601));
        DigestVerification stale = server.verify(register, header(second));
        assertEquals(DigestOutcome.STALE, stale.outcome());
        assertTrue(stale.securityEvent().isEmpty(), "an expired nonce is routine, not a security event");
        assertTrue(stale.challenges().stream().allMatch(DigestChallenge::stale));
        assertTrue(stale.challenges().get(0).toHeaderValue().contains("stale=true"));

        DigestAnswer retry = client.answer(DigestHeaderKind.WWW_AUTHENTICATE, values(stale.challenges()), "REGISTER", URI,
                null, second);
        assertEquals(DigestAnswer.Status.ANSWERED, retry.status());
        assertEquals(DigestOutcome.OK, server.verify(register, header(retry)).outcome());
    }

    @Test
    void expiredNonceWithAWrongPasswordIsBadCredentialsNotStale() {
        DigestAuthenticator server = server(DigestAlgorithm.MD5);
        DigestAnswer a = answer(client(REALM, "bob", "guess"), server.challenge(register), "REGISTER");
        clock.advance(Duration.ofHours(1));
        DigestVerification v = server.verify(register, header(a));
        assertEquals(DigestOutcome.BAD_CREDENTIALS, v.outcome());
        assertFalse(v.challenges().get(0).stale());
    }

    @Test
    void aNonceWithAnExtendedTimestampOrAnyFlippedCharacterIsRejected() {
        DigestAuthenticator server = server(DigestAlgorithm.MD5);
        DigestClient client = client(REALM, "bob", "s3cret");
        DigestChallenge real = server.challenge(register).get(0);

        // An attacker who knows the password rewrites the timestamp to outlive the validity.
        byte[] raw = Base64.getUrlDecoder().decode(real.nonce());
        raw[8] ^= 0x01;
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        DigestChallenge forgedChallenge = new DigestChallenge(REALM, forged, real.opaque().orElseThrow(), "MD5",
                List.of("auth"), false, false);
        DigestVerification v = server.verify(register, header(answer(client, List.of(forgedChallenge), "REGISTER")));
        assertEquals(DigestOutcome.NONCE_INVALID, v.outcome());
        assertFalse(v.challenges().get(0).stale());
        assertEquals("invalid-nonce", v.securityEvent().orElseThrow().reason());

        String nonce = real.nonce();
        for (int i = 0; i < nonce.length(); i++) {
            char flipped = nonce.charAt(i) == 'A' ? 'B' : 'A';
            String tampered = nonce.substring(0, i) + flipped + nonce.substring(i + 1);
            DigestChallenge t = new DigestChallenge(REALM, tampered, real.opaque().orElseThrow(), "MD5", List.of("auth"), false, false);
            DigestOutcome outcome = server.verify(register, header(answer(client, List.of(t), "REGISTER"))).outcome();
            assertEquals(DigestOutcome.NONCE_INVALID, outcome, "position " + i);
        }
        for (String junk : List.of("", "x", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "A".repeat(44), "!".repeat(44))) {
            DigestChallenge t = new DigestChallenge(REALM, junk, null, "MD5", List.of("auth"), false, false);
            assertEquals(DigestOutcome.NONCE_INVALID,
                    server.verify(register, header(answer(client, List.of(t), "REGISTER"))).outcome(), junk);
        }
    }

    @Test
    void aNonceSignedWithAnotherSecretIsRejectedAndASharedClusterSecretIsAccepted() {
        byte[] shared = new byte[32];
        random.nextBytes(shared);
        DigestPolicy policy = DigestPolicy.builder(REALM).build();
        DigestAuthenticator a = new DigestAuthenticator(policy, NonceSecret.fromBytes(shared), users, clock, random);
        DigestAuthenticator b = new DigestAuthenticator(policy, NonceSecret.fromBase64(Base64.getEncoder().encodeToString(shared)),
                users, clock, random);
        DigestAuthenticator stranger = server(policy);
        DigestAnswer ans = answer(client(REALM, "bob", "s3cret"), a.challenge(register), "REGISTER");
        assertEquals(DigestOutcome.OK, b.verify(register, header(ans)).outcome());
        assertEquals(DigestOutcome.NONCE_INVALID, stranger.verify(register, header(ans)).outcome());
    }

    @Test
    void aNonceFromTheFarFutureIsRejected() {
        MutableClock ahead = new MutableClock(clock.instant().plus(Duration.ofHours(1)));
        DigestPolicy policy = DigestPolicy.builder(REALM).build();
        DigestAuthenticator skewed = new DigestAuthenticator(policy, secret, users, ahead, random);
        DigestAnswer ans = answer(client(REALM, "bob", "s3cret"), skewed.challenge(register), "REGISTER");
        assertEquals(DigestOutcome.NONCE_INVALID, server(policy).verify(register, header(ans)).outcome());
        ahead.advance(Duration.ofSeconds(-3590)); // 10 s ahead: ordinary cluster skew
        DigestAnswer near = answer(client(REALM, "bob", "s3cret"), skewed.challenge(register), "REGISTER");
        assertEquals(DigestOutcome.OK, server(policy).verify(register, header(near)).outcome());
    }

    @Test
    void aForeignOpaqueIsRejected() {
        DigestAuthenticator server = server(DigestAlgorithm.MD5);
        DigestChallenge c = server.challenge(register).get(0);
        String h = header(answer(client(REALM, "bob", "s3cret"), List.of(c), "REGISTER"));
        assertEquals(DigestOutcome.NONCE_INVALID,
                server.verify(register, h.replace(c.opaque().orElseThrow(), "someone-elses-opaque")).outcome());
        assertEquals(DigestOutcome.OK, server.verify(register, h).outcome());
    }

    @Test
    void aReplayedNonceCountIsRefusedAndAHigherOneAccepted() {
        DigestAuthenticator server = server(DigestAlgorithm.SHA_256);
        DigestClient client = client(REALM, "bob", "s3cret");
        DigestAnswer a = answer(client, server.challenge(register), "REGISTER");
        String nc1 = header(a);
        assertEquals(DigestOutcome.OK, server.verify(register, nc1).outcome());

        DigestVerification replay = server.verify(register, nc1);
        assertEquals(DigestOutcome.REPLAY, replay.outcome());
        assertEquals("replay", replay.securityEvent().orElseThrow().reason());
        assertFalse(replay.outcome().countsAsFailedAttempt());

        String nc2 = client.authorizeAgain(a, "REGISTER", URI, null).orElseThrow();
        assertTrue(nc2.contains("nc=00000002"), nc2);
        assertEquals(DigestOutcome.OK, server.verify(register, nc2).outcome());
        assertEquals(DigestOutcome.REPLAY, server.verify(register, nc2).outcome());
        assertEquals(DigestOutcome.REPLAY, server.verify(register, nc1).outcome(), "nc must increase, not just differ");
        String nc3 = client.authorizeAgain(a, "INVITE", URI, null).orElseThrow();
        assertEquals(DigestOutcome.OK, server.verify(DigestRequest.of("INVITE", URI, phone, "call-1@phone"), nc3).outcome());
    }

    @Test
    void aReplayStaysRefusedWhenTheAuthenticatorIsRebuiltOverTheSameTracker() {
        // What a configuration reload does: new authenticators, same key, same nonce-count state.
        NonceCountTracker counts = new NonceCountTracker(1000);
        DigestPolicy policy = DigestPolicy.builder(REALM).build();
        DigestAuthenticator before = new DigestAuthenticator(policy, secret, users, clock, random, counts);
        String nc1 = header(answer(client(REALM, "bob", "s3cret"), before.challenge(register), "REGISTER"));
        assertEquals(DigestOutcome.OK, before.verify(register, nc1).outcome());

        DigestAuthenticator after = new DigestAuthenticator(policy, secret, users, clock, random, counts);
        assertEquals(DigestOutcome.REPLAY, after.verify(register, nc1).outcome());
        // A rebuilt authenticator with replay state of its own would have let the replay through.
        assertEquals(DigestOutcome.OK, server(policy).verify(register, nc1).outcome());
        assertEquals(1, counts.size());
    }

    @Test
    void theReplayTrackerIsBoundedAndAnEvictedNonceIsNeverAcceptedTwice() {
        int max = 8;
        DigestAuthenticator server = server(DigestPolicy.builder(REALM).maxTrackedNonces(max).build());
        DigestClient client = client(REALM, "bob", "s3cret");
        List<String> used = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofMillis(1));
            String h = header(answer(client, server.challenge(register), "REGISTER"));
            assertEquals(DigestOutcome.OK, server.verify(register, h).outcome(), "fresh nonce " + i);
            assertTrue(server.trackedNonces() <= max);
            used.add(h);
        }
        assertEquals(max, server.trackedNonces());
        for (int i = 0; i < used.size(); i++) {
            DigestOutcome again = server.verify(register, used.get(i)).outcome();
            if (i >= used.size() - max) {
                assertEquals(DigestOutcome.REPLAY, again, "still tracked: " + i);
            } else {
                assertEquals(DigestOutcome.STALE, again, "evicted, so rechallenged: " + i);
            }
        }
        // A nonce issued after the evictions is genuinely new and still works.
        clock.advance(Duration.ofMillis(1));
        assertEquals(DigestOutcome.OK,
                server.verify(register, header(answer(client, server.challenge(register), "REGISTER"))).outcome());
    }

    @Test
    void expiredNoncesAreSweptBeforeLiveOnesAreEvicted() {
        DigestAuthenticator server = server(DigestPolicy.builder(REALM).maxTrackedNonces(4).nonceValiditySeconds(10).build());
        DigestClient client = client(REALM, "bob", "s3cret");
        for (int i = 0; i < 4; i++) {
            assertEquals(DigestOutcome.OK,
                    server.verify(register, header(answer(client, server.challenge(register), "REGISTER"))).outcome());
        }
        clock.advance(Duration.ofSeconds(11));
        List<String> live = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String h = header(answer(client, server.challenge(register), "REGISTER"));
            assertEquals(DigestOutcome.OK, server.verify(register, h).outcome());
            live.add(h);
        }
        for (String h : live) {
            assertEquals(DigestOutcome.REPLAY, server.verify(register, h).outcome(), "live nonces were kept");
        }
    }

    @Test
    void aNonceBoundToTheSourceAddressFailsFromAnotherAddress() {
        DigestAuthenticator server = server(DigestPolicy.builder(REALM).bindNonceTo(NonceBinding.SOURCE_ADDRESS).build());
        DigestClient client = client(REALM, "bob", "s3cret");
        String h = header(answer(client, server.challenge(register), "REGISTER"));
        DigestRequest fromElsewhere = DigestRequest.of("REGISTER", URI, address(198, 51, 100, 7, 5060), "call-1@phone");
        assertEquals(DigestOutcome.NONCE_INVALID, server.verify(fromElsewhere, h).outcome());
        DigestRequest newPort = DigestRequest.of("REGISTER", URI, address(192, 0, 2, 10, 40000), "call-1@phone");
        assertEquals(DigestOutcome.OK, server.verify(newPort, h).outcome(), "a NAT port change is not another source");

        DigestAuthenticator unbound = server(DigestAlgorithm.MD5);
        String h2 = header(answer(client, unbound.challenge(register), "REGISTER"));
        assertEquals(DigestOutcome.OK, unbound.verify(fromElsewhere, h2).outcome());
    }

    @Test
    void aNonceBoundToTheCallIdFailsInAnotherCall() {
        DigestAuthenticator server = server(DigestPolicy.builder(REALM).bindNonceTo(NonceBinding.CALL_ID).build());
        DigestClient client = client(REALM, "bob", "s3cret");
        String h = header(answer(client, server.challenge(register), "REGISTER"));
        assertEquals(DigestOutcome.NONCE_INVALID,
                server.verify(DigestRequest.of("REGISTER", URI, phone, "call-2@phone"), h).outcome());
        assertEquals(DigestOutcome.OK, server.verify(register, h).outcome());
        assertThrows(IllegalArgumentException.class, () -> server.challenge(DigestRequest.of("REGISTER", URI, phone, null)));
    }

    @Test
    void unknownUserAndWrongPasswordAreIndistinguishable() {
        DigestAuthenticator server = server(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
        List<DigestVerification> results = new ArrayList<>();
        // Unknown user; wrong password; known user without a checksum for the chosen algorithm.
        for (String[] attempt : new String[][] {{"mallory", "s3cret"}, {"bob", "wrong"}, {"md5only", "pw"}}) {
            DigestAnswer a = answer(client(REALM, attempt[0], attempt[1]), server.challenge(register), "REGISTER");
            assertTrue(header(a).contains("SHA-256"));
            results.add(server.verify(register, header(a)));
        }
        DigestVerification first = results.get(0);
        for (DigestVerification v : results) {
            assertEquals(DigestOutcome.BAD_CREDENTIALS, v.outcome());
            assertTrue(v.authenticatedUser().isEmpty());
            assertEquals(sameShape(first.challenges()), sameShape(v.challenges()));
            assertEquals(first.challenges().get(0).nonce().length(), v.challenges().get(0).nonce().length());
            SecurityEvent e = v.securityEvent().orElseThrow();
            assertEquals(SecurityEvent.Type.DIGEST_AUTH_FAILURE, e.type());
            assertEquals("bad-credentials", e.reason());
            assertTrue(v.outcome().countsAsFailedAttempt());
        }
        assertEquals("mallory", results.get(0).claimedUser());
        assertEquals("bob", results.get(1).claimedUser());
        // The same users with the right password (md5only over MD5) do get in: the test is not vacuous.
        assertEquals(DigestOutcome.OK, server.verify(register,
                header(answer(client(REALM, "bob", "s3cret"), server.challenge(register), "REGISTER"))).outcome());
    }

    private static List<String> sameShape(List<DigestChallenge> challenges) {
        return challenges.stream().map(c -> c.toHeaderValue().replace(c.nonce(), "NONCE")).collect(Collectors.toList());
    }

    @Test
    void rfc2069AnswersAreRefusedUnlessThePolicyAllowsThemAndThenOnlyOncePerNonce() {
        DigestAuthenticator strict = server(DigestAlgorithm.MD5);
        DigestAuthenticator lenient = server(DigestPolicy.builder(REALM).acceptRfc2069Clients(true).build());
        DigestClient client = client(REALM, "bob", "s3cret");
        for (DigestAuthenticator s : List.of(strict, lenient)) {
            DigestChallenge c = s.challenge(register).get(0);
            DigestChallenge noQop = new DigestChallenge(REALM, c.nonce(), c.opaque().orElseThrow(), "MD5", List.of(), false, false);
            String h = header(answer(client, List.of(noQop), "REGISTER"));
            assertFalse(h.contains("qop") || h.contains("nc=") || h.contains("cnonce"), h);
            if (s == strict) {
                assertEquals(DigestOutcome.NO_QOP_NOT_ALLOWED, s.verify(register, h).outcome());
            } else {
                assertEquals(DigestOutcome.OK, s.verify(register, h).outcome());
                assertEquals(DigestOutcome.REPLAY, s.verify(register, h).outcome());
            }
        }
    }

    @Test
    void credentialsForAnotherRealmAreARealmMismatchButOursAmongThemAreUsed() {
        DigestAuthenticator server = server(DigestAlgorithm.MD5);
        DigestAuthenticator other = new DigestAuthenticator(DigestPolicy.builder("trunk-peer.example").build(), secret,
                InMemoryDigestUserDirectory.builder().build(), clock, random);
        String theirs = header(answer(client("trunk-peer.example", "bob", "x"), other.challenge(register), "REGISTER"));
        String ours = header(answer(client(REALM, "bob", "s3cret"), server.challenge(register), "REGISTER"));
        DigestVerification mismatch = server.verify(register, theirs);
        assertEquals(DigestOutcome.REALM_MISMATCH, mismatch.outcome());
        assertEquals(1, mismatch.challenges().size());
        assertEquals(DigestOutcome.OK, server.verify(register, List.of(theirs, "garbage", ours)).outcome());
    }

    @Test
    void noCredentialsIsAPlainChallengeAndGarbageIsMalformed() {
        DigestAuthenticator server = server(DigestAlgorithm.MD5);
        DigestVerification none = server.verify(register, List.of());
        assertEquals(DigestOutcome.NO_CREDENTIALS, none.outcome());
        assertEquals(1, none.challenges().size());
        assertTrue(none.securityEvent().isEmpty());
        assertFalse(none.outcome().countsAsFailedAttempt());
        assertEquals(DigestOutcome.NO_CREDENTIALS, server.verify(register, (String) null).outcome());

        DigestVerification bad = server.verify(register, "Digest username=\"bob\", realm=\"" + REALM + "\", nonce=\"x");
        assertEquals(DigestOutcome.MALFORMED, bad.outcome());
        assertEquals(Optional.of(DigestParseException.Reason.UNTERMINATED_QUOTED_STRING), bad.parseError());
        assertEquals("malformed", bad.securityEvent().orElseThrow().reason());
        assertEquals(1, bad.challenges().size());
    }

    @Test
    void inconsistentCredentialsAreMalformed() {
        DigestAuthenticator server = server(DigestAlgorithm.MD5);
        String h = header(answer(client(REALM, "bob", "s3cret"), server.challenge(register), "REGISTER"));
        assertEquals(DigestOutcome.MALFORMED, server.verify(register, h.replace("nc=00000001", "nc=00000000")).outcome());
        String shortResponse = h.replaceAll("response=\"[0-9a-f]+\"", "response=\"abcd\"");
        assertEquals(DigestOutcome.MALFORMED, server.verify(register, shortResponse).outcome());
        assertEquals(DigestOutcome.MALFORMED, server.verify(register, h.replace("qop=auth", "qop=auth-conf")).outcome());
    }

    @Test
    void authIntCoversTheBody() {
        DigestAuthenticator server = server(DigestAlgorithm.SHA_256);
        DigestChallenge c = server.challenge(register).get(0);
        DigestChallenge authInt = new DigestChallenge(REALM, c.nonce(), c.opaque().orElseThrow(), "SHA-256",
                List.of("auth-int"), false, false);
        byte[] body = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\n".getBytes(StandardCharsets.US_ASCII);
        DigestAnswer a = client(REALM, "bob", "s3cret").answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of(authInt.toHeaderValue()), "INVITE", URI, body, null);
        assertTrue(header(a).contains("qop=auth-int"));
        DigestRequest invite = DigestRequest.of("INVITE", URI, phone, "call-1@phone");
        assertEquals(DigestOutcome.BAD_CREDENTIALS, server.verify(invite.withBody("tampered".getBytes(StandardCharsets.US_ASCII)),
                header(a)).outcome());
        assertEquals(DigestOutcome.OK, server.verify(invite.withBody(body), header(a)).outcome());
    }

    @Test
    void userhashIsOfferedAndVerified() {
        DigestAuthenticator server = server(DigestPolicy.builder(REALM).algorithms(DigestAlgorithm.SHA_512_256)
                .offerUserhash(true).build());
        List<DigestChallenge> challenges = server.challenge(register);
        assertTrue(challenges.get(0).userhash());
        String h = header(answer(client(REALM, "bob", "s3cret"), challenges, "REGISTER"));
        assertFalse(h.contains("\"bob\""), "the user name travels hashed");
        DigestVerification v = server.verify(register, h);
        assertEquals(DigestOutcome.OK, v.outcome());
        assertEquals(Optional.of("bob"), v.authenticatedUser());
        String wrong = header(answer(client(REALM, "bob", "nope"), server.challenge(register), "REGISTER"));
        DigestVerification bad = server.verify(register, wrong);
        assertEquals(DigestOutcome.BAD_CREDENTIALS, bad.outcome());
        assertEquals("bob", bad.claimedUser(), "the guard counts the resolved user, not the hash");
    }

    @Test
    void theMethodIsCoveredByTheResponse() {
        DigestAuthenticator server = server(DigestAlgorithm.MD5);
        String h = header(answer(client(REALM, "bob", "s3cret"), server.challenge(register), "REGISTER"));
        assertEquals(DigestOutcome.BAD_CREDENTIALS,
                server.verify(DigestRequest.of("INVITE", URI, phone, "call-1@phone"), h).outcome());
    }
}
