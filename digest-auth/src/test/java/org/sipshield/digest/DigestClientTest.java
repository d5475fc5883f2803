package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertFalse;

import static org.junit.jupiter.api.Assertions.*;
import static org.sipshield.digest.DigestAuthenticatorTest.address;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.MutableClock;

/** Answering a trunk peer's challenges, checked against our own verifier as the peer. */
class DigestClientTest {

    static final String PEER_REALM = "SIPProxy1_xyz.com";
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final SecureRandom random = new SecureRandom();
    final DigestRequest invite = DigestRequest.of("INVITE", "sip:x@peer", address(127, 0, 0, 1, 5060), "call@sipshield");
    final SipRealmCredentials creds = new SipRealmCredentials(PEER_REALM, "sipshield", "trunk-pw".toCharArray());
    final DigestClient client = new DigestClient(
            r -> r.equals(PEER_REALM) ? Optional.of(creds) : Optional.empty(), random);

    DigestAuthenticator peer(DigestAlgorithm... algorithms) {
        return new DigestAuthenticator(DigestPolicy.builder(PEER_REALM).algorithms(algorithms).build(),
                NonceSecret.generate(random), InMemoryDigestUserDirectory.builder()
                .add(PEER_REALM, "sipshield", DigestChecksum.computeAll("sipshield", PEER_REALM, "trunk-pw".toCharArray()))
                .build(), clock, random);
    }

    @Test
    void answersA407WithProxyAuthorizationUsingTheStrongestAlgorithm() {
        DigestAuthenticator peer = peer(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256, DigestAlgorithm.SHA_512_256);
        List<String> challenges = DigestAuthenticatorTest.values(peer.challenge(invite));
        DigestAnswer a = client.answer(DigestHeaderKind.forStatus(407), challenges, "INVITE", "sip:x@peer");
        assertEquals("Proxy-Authorization", a.headerName());
        String h = a.headerValue().orElseThrow();
        assertTrue(h.contains("algorithm=SHA-512-256") && h.contains("qop=auth") && h.contains("nc=00000001"), h);
        assertTrue(h.matches(".*cnonce=\"[0-9a-f]{32}\".*"), h);
        assertEquals(DigestOutcome.OK, peer.verify(invite, h).outcome());
    }

    @Test
    void unknownAlgorithmsAndBrokenChallengesAreSkipped() {
        DigestAuthenticator peer = peer(DigestAlgorithm.SHA_256);
        String good = peer.challenge(invite).get(0).toHeaderValue();
        DigestAnswer a = client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of("Digest realm=\"" + PEER_REALM + "\", nonce=\"x\", algorithm=SHA-1, qop=\"auth\"",
                        "Digest realm=\"broken", "Newauth realm=\"x\"", good),
                "INVITE", "sip:x@peer");
        assertEquals(DigestOutcome.OK, peer.verify(invite, a.headerValue().orElseThrow()).outcome());

        assertEquals(DigestAnswer.Status.NO_SUPPORTED_CHALLENGE, client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of("Digest realm=\"" + PEER_REALM + "\", nonce=\"x\", algorithm=SHA-1",
                        "Digest realm=\"" + PEER_REALM + "\", nonce=\"x\", qop=\"auth-conf\""), "INVITE", "sip:x@peer").status());
        assertEquals(DigestAnswer.Status.MALFORMED, client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of("Digest realm=\"broken", "garbage"), "INVITE", "sip:x@peer").status());
        assertEquals(DigestAnswer.Status.MALFORMED, client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of(), "INVITE", "sip:x@peer").status());
    }

    @Test
    void noCredentialsForTheRealmMeansNoAnswer() {
        DigestAnswer a = client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of("Digest realm=\"elsewhere.example\", nonce=\"n\", qop=\"auth\""), "INVITE", "sip:x@peer");
        assertEquals(DigestAnswer.Status.NO_CREDENTIALS, a.status());
        assertFalse(a.answered());
        assertTrue(a.headerValue().isEmpty());
        assertEquals("elsewhere.example", a.challenge().orElseThrow().realm());
    }

    @Test
    void theRealmWithCredentialsIsAnsweredAmongSeveral() {
        DigestAuthenticator peer = peer(DigestAlgorithm.MD5);
        DigestAnswer a = client.answer(DigestHeaderKind.PROXY_AUTHENTICATE,
                List.of("Digest realm=\"other\", nonce=\"n\", algorithm=SHA-512-256, qop=\"auth\"",
                        peer.challenge(invite).get(0).toHeaderValue()), "INVITE", "sip:x@peer");
        assertEquals(PEER_REALM, a.challenge().orElseThrow().realm());
        assertEquals(DigestOutcome.OK, peer.verify(invite, a.headerValue().orElseThrow()).outcome());
    }

    @Test
    void storedChecksumsAnswerLikeThePasswordAndOnlyForTheirAlgorithms() {
        SipRealmCredentials md5Only = SipRealmCredentials.fromChecksums(PEER_REALM, "sipshield",
                List.of(DigestChecksum.compute(DigestAlgorithm.MD5, "sipshield", PEER_REALM, "trunk-pw".toCharArray())));
        DigestClient fromChecksums = new DigestClient(r -> Optional.of(md5Only), random);
        DigestAuthenticator peer = peer(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
        DigestAnswer answer = fromChecksums.answer(DigestHeaderKind.PROXY_AUTHENTICATE,
                DigestAuthenticatorTest.values(peer.challenge(invite)), "INVITE", "sip:x@peer");
        assertEquals(DigestAnswer.Status.ANSWERED, answer.status());
        assertTrue(answer.headerValue().orElseThrow().contains("algorithm=MD5"), answer.headerValue().get());
        assertEquals(DigestOutcome.OK, peer.verify(invite, answer.headerValue().get()).outcome());

        DigestAnswer none = fromChecksums.answer(DigestHeaderKind.PROXY_AUTHENTICATE,
                DigestAuthenticatorTest.values(peer(DigestAlgorithm.SHA_256).challenge(invite)), "INVITE", "sip:x@peer");
        assertEquals(DigestAnswer.Status.NO_CREDENTIALS, none.status());
        assertFalse(md5Only.toString().matches(".*[0-9a-f]{32}.*"), md5Only.toString());
    }

    @Test
    void aRefusedAnswerIsNotRetriedAndAStaleOneOnlyOnce() {
        DigestClient wrong = new DigestClient(r -> Optional.of(new SipRealmCredentials(r, "sipshield", "bad".toCharArray())),
                random);
        DigestAuthenticator peer = peer(DigestAlgorithm.SHA_256);
        DigestAnswer first = wrong.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                DigestAuthenticatorTest.values(peer.challenge(invite)), "INVITE", "sip:x@peer");
        DigestVerification refused = peer.verify(invite, first.headerValue().orElseThrow());
        assertEquals(DigestOutcome.BAD_CREDENTIALS, refused.outcome());
        DigestAnswer again = wrong.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                DigestAuthenticatorTest.values(refused.challenges()), "INVITE", "sip:x@peer", null, first);
        assertEquals(DigestAnswer.Status.ALREADY_ANSWERED, again.status());

        // Right password, nonce expired in flight: one stale retry, then no more.
        DigestAnswer a1 = client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                DigestAuthenticatorTest.values(peer.challenge(invite)), "INVITE", "sip:x@peer");
        clock.advance(Duration.ofSeconds(601));
        DigestVerification stale = peer.verify(invite, a1.headerValue().orElseThrow());
        assertEquals(DigestOutcome.STALE, stale.outcome());
        DigestAnswer a2 = client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                DigestAuthenticatorTest.values(stale.challenges()), "INVITE", "sip:x@peer", null, a1);
        assertEquals(DigestAnswer.Status.ANSWERED, a2.status());
        clock.advance(Duration.ofSeconds(601));
        DigestVerification staleAgain = peer.verify(invite, a2.headerValue().orElseThrow());
        assertEquals(DigestOutcome.STALE, staleAgain.outcome());
        assertEquals(DigestAnswer.Status.ALREADY_ANSWERED, client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                DigestAuthenticatorTest.values(staleAgain.challenges()), "INVITE", "sip:x@peer", null, a2).status());

        // A "stale" challenge repeating the nonce we already answered is a loop too.
        DigestChallenge answered = a1.challenge().orElseThrow();
        DigestChallenge sameNonceStale = new DigestChallenge(answered.realm(), answered.nonce(), answered.opaque().orElse(null),
                "SHA-256", List.of("auth"), true, false);
        assertEquals(DigestAnswer.Status.ALREADY_ANSWERED, client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of(sameNonceStale.toHeaderValue()), "INVITE", "sip:x@peer", null, a1).status());
    }

    @Test
    void theSameNonceAnsweredTwiceCountsUpWithAFreshCnonce() throws Exception {
        String challenge = "Digest realm=\"" + PEER_REALM + "\", nonce=\"fixed-nonce\", qop=\"auth\", algorithm=MD5";
        DigestAuthorization a = DigestAuthorization.parse(client.answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(challenge),
                "INVITE", "sip:x@peer").headerValue().orElseThrow());
        DigestAuthorization b = DigestAuthorization.parse(client.answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(challenge),
                "INVITE", "sip:x@peer").headerValue().orElseThrow());
        assertEquals("00000001", a.nc().orElseThrow());
        assertEquals("00000002", b.nc().orElseThrow());
        assertNotEquals(a.cnonce(), b.cnonce());
    }

    @Test
    void credentialsAreValidatedAndTheLookupIsPerRealm() {
        assertThrows(IllegalArgumentException.class, () -> new SipRealmCredentials("r", "bob\r\nVia: x", "p".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> new SipRealmCredentials("r", "", "p".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> new SipRealmCredentials("r", "bob", null));
        Map<String, SipRealmCredentials> table = Map.of(PEER_REALM, creds);
        DigestCredentialsLookup lookup = r -> Optional.ofNullable(table.get(r));
        assertEquals(Optional.of(creds), lookup.forRealm(PEER_REALM));
        assertThrows(IllegalArgumentException.class, () -> client.answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(),
                "INVITE", "sip:x@peer\r\nX: y"));
        assertThrows(IllegalArgumentException.class, () -> DigestHeaderKind.forStatus(403));
    }
}
