package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.digest.DigestAuthenticatorTest.REALM;
import static org.sipshield.digest.DigestAuthenticatorTest.address;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.MutableClock;

/**
 * RFC 7616 3.4.6: the credentials' uri must designate the Request-URI. A response computed for
 * one target and sent with another (a captured Authorization re-aimed, as an attacker would) is
 * refused and counted like a wrong password.
 */
class DigestUriTest {
    static final String VOICEMAIL = "sip:8000@pbx.example";
    static final String PREMIUM = "sip:+19005550100@pbx.example";

    final SecureRandom random = new SecureRandom();
    final DigestAuthenticator server = new DigestAuthenticator(DigestPolicy.builder(REALM).build(), NonceSecret.generate(random),
            InMemoryDigestUserDirectory.builder().add(REALM, "bob", DigestChecksum.computeAll("bob", REALM, "s3cret".toCharArray()))
                    .build(), new MutableClock(Instant.parse("2026-01-01T00:00:00Z")), random);
    final InetSocketAddress phone = address(192, 0, 2, 10, 5060);

    private String credentials(String password, DigestRequest challenged, String uri) {
        DigestAnswer answer = DigestAuthenticatorTest.client(REALM, "bob", password).answer(DigestHeaderKind.PROXY_AUTHENTICATE,
                DigestAuthenticatorTest.values(server.challenge(challenged)), "INVITE", uri);
        return answer.headerValue().orElseThrow();
    }

    @Test
    void credentialsForOneRequestUriAreRefusedForAnotherAndCountAsAFailure() {
        DigestRequest toVoicemail = DigestRequest.of("INVITE", VOICEMAIL, phone, "call-1");
        String captured = credentials("s3cret", toVoicemail, VOICEMAIL);

        DigestVerification reaimed = server.verify(DigestRequest.of("INVITE", PREMIUM, phone, "call-1"), captured);
        assertEquals(DigestOutcome.URI_MISMATCH, reaimed.outcome());
        assertTrue(reaimed.outcome().countsAsFailedAttempt(), "fed to the brute-force guard like a wrong password");
        SecurityEvent event = reaimed.securityEvent().orElseThrow();
        assertEquals(SecurityEvent.Type.DIGEST_AUTH_FAILURE, event.type());
        assertEquals("SECURITY digest-auth-failure src=192.0.2.10 port=5060 user=\"bob\" realm=\"ccmsipline\" reason=uri-mismatch",
                event.toLogLine());
        assertEquals(1, reaimed.challenges().size(), "challenged again, like any failure");

        // The re-aimed copy did not use up the nonce count: the phone's own request still passes.
        assertEquals(DigestOutcome.OK, server.verify(toVoicemail, captured).outcome());
    }

    @Test
    void aWrongPasswordStaysBadCredentialsWhateverTheUri() {
        DigestRequest toVoicemail = DigestRequest.of("INVITE", VOICEMAIL, phone, "call-1");
        String wrong = credentials("guess", toVoicemail, VOICEMAIL);
        assertEquals(DigestOutcome.BAD_CREDENTIALS,
                server.verify(DigestRequest.of("INVITE", PREMIUM, phone, "call-1"), wrong).outcome());
    }

    @Test
    void theCallersEquivalenceDecidesAndAnExceptionInItRefuses() {
        DigestRequest lowerCase = DigestRequest.of("INVITE", VOICEMAIL, phone, "call-1");
        String spelledOtherwise = credentials("s3cret", lowerCase, "sip:8000@PBX.example");
        assertEquals(DigestOutcome.URI_MISMATCH, server.verify(lowerCase, spelledOtherwise).outcome(), "exact by default");
        DigestRequest hostCaseInsensitive = lowerCase.withUriEquivalence((claimed, actual) -> claimed.equalsIgnoreCase(actual));
        assertEquals(DigestOutcome.OK, server.verify(hostCaseInsensitive, spelledOtherwise).outcome());

        DigestRequest broken = lowerCase.withUriEquivalence((claimed, actual) -> {
            throw new IllegalStateException("cannot parse");
        });
        assertEquals(DigestOutcome.URI_MISMATCH, server.verify(broken, credentials("s3cret", lowerCase, VOICEMAIL)).outcome());
    }

    @Test
    void aRequestWithoutItsRequestUriCannotBeVerified() {
        assertThrows(IllegalArgumentException.class, () -> DigestRequest.of("INVITE", "", phone, "call-1"));
        assertThrows(IllegalArgumentException.class, () -> DigestRequest.of("INVITE", null, phone, "call-1"));
    }

    @Test
    void authIntCoversAnEmptyBodyToo() {
        DigestRequest register = DigestRequest.of("REGISTER", VOICEMAIL, phone, "call-1");
        DigestChallenge offered = server.challenge(register).get(0);
        DigestChallenge authIntOnly = new DigestChallenge(REALM, offered.nonce(), offered.opaque().orElseThrow(), "MD5",
                List.of("auth-int"), false, false);
        String h = DigestAuthenticatorTest.client(REALM, "bob", "s3cret").answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of(authIntOnly.toHeaderValue()), "REGISTER", VOICEMAIL, null, null).headerValue().orElseThrow();
        assertTrue(h.contains("qop=auth-int"), h);
        assertEquals(DigestOutcome.BAD_CREDENTIALS, server.verify(register.withBody(new byte[] {'x'}), h).outcome());
        assertEquals(DigestOutcome.OK, server.verify(register, h).outcome());
    }
}
