package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.digest.DigestClient;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.UdpSipClient;
import org.sipshield.testing.MutableClock;

/**
 * Digest authentication of phones by the running proxy: sipp registers (401, then 200); wrong
 * passwords are answered 401 until the configured limit, then the source is refused; a replayed
 * Authorization is refused; a nonce past its validity gets stale=true.
 */
class DigestRegistrationTest {
    @TempDir
    Path dataDirectory;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T08:00:00Z"));
    RunningProxy proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = new ProxyFixture().clock(clock).yaml("""
                security:
                  digestFailureLimit: 3
                  digestFailureWindow: 300
                  digestBlockSeconds: 600
                  blockedSource: REJECT_403
                """).phoneProfile("{name: digest phones, enableDigestAuthentication: true, nonceValidityTime: 600}")
                .alicePhone("digest phones").start(dataDirectory);
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    private ProcessOutput register(String password, String expect) {
        return Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice", "password", password,
                "contact", "sip:2001@127.0.0.1:5999", "expect", expect), "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
    }

    @Test
    void theRightPasswordIsChallengedInTheLinesRealmThenRegistered() {
        ProcessOutput ok = register("alice-secret", "200");
        assertEquals(0, ok.exitCode(), ok.output());
        assertTrue(ok.output().contains("realm=\"ccmsipline\""), ok.output());
    }

    @Test
    void wrongPasswordsGet401UntilTheLimitThenTheSourceIsRefused() {
        for (int attempt = 1; attempt < 3; attempt++) {
            ProcessOutput wrong = register("guess-" + attempt, "401");
            assertEquals(0, wrong.exitCode(), "attempt " + attempt + ": " + wrong.output());
        }
        // the third failure reaches the limit and is refused with 403, as is everything after it
        ProcessOutput limit = register("guess-3", "403");
        assertEquals(0, limit.exitCode(), limit.output());
        ProcessOutput evenRight = Sipp.client("uac-request.xml", Map.of("method", "REGISTER", "caller", "2001",
                "called", "2001", "expect", "403", "headers",
                "Authorization: Digest username=\"alice\", realm=\"ccmsipline\", nonce=\"x\", uri=\"sip:x\", response=\"00\""),
                "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, evenRight.exitCode(), evenRight.output());

        clock.advance(Duration.ofSeconds(601));
        ProcessOutput afterCoolDown = register("alice-secret", "200");
        assertEquals(0, afterCoolDown.exitCode(), afterCoolDown.output());
    }

    @Test
    void aReplayedAuthorizationIsRefusedAndAnExpiredNonceIsStale() throws Exception {
        try (UdpSipClient phone = new UdpSipClient("127.0.0.1", "127.0.0.1", proxy.sipPort)) {
            String uri = "sip:127.0.0.1:" + proxy.sipPort;
            String challenge = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "replay-1", 1, ""));
            assertTrue(challenge.startsWith("SIP/2.0 401"), challenge);

            String authorization = answer(challenge, uri);
            String first = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "replay-1", 2,
                    "Authorization: " + authorization + "\r\n"));
            assertTrue(first.startsWith("SIP/2.0 200"), first);

            String replayed = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "replay-1", 3,
                    "Authorization: " + authorization + "\r\n"));
            assertTrue(replayed.startsWith("SIP/2.0 401"), "the same nc twice must be refused:\n" + replayed);

            String fresh = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "stale-1", 1, ""));
            String lateAnswer = answer(fresh, uri);
            clock.advance(Duration.ofSeconds(601));
            String stale = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "stale-1", 2,
                    "Authorization: " + lateAnswer + "\r\n"));
            assertTrue(stale.startsWith("SIP/2.0 401"), stale);
            assertTrue(UdpSipClient.header(stale, "WWW-Authenticate").contains("stale=true"), stale);
            assertFalse(stale.contains("alice-secret"));
        }
    }

    @Test
    void aReplayIsStillRefusedAfterAConfigurationReload()
            throws Exception {
        try (UdpSipClient phone = new UdpSipClient("127.0.0.1", "127.0.0.1", proxy.sipPort)) {
            String uri = "sip:127.0.0.1:" + proxy.sipPort;
            String challenge = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "reload-1", 1, ""));
            String authorization = answer(challenge, uri);
            String first = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "reload-1", 2,
                    "Authorization: " + authorization + "\r\n"));
            assertTrue(first.startsWith("SIP/2.0 200"), first);

            // A reload builds new authenticators; the nonce-count state they check must be the old one.
            proxy.server.reload(proxy.server.config());
            String replayed = phone.exchange(phone.request("REGISTER", uri, "2001", "2001", "reload-1", 3,
                    "Authorization: " + authorization + "\r\n"));
            assertTrue(replayed.startsWith("SIP/2.0 401"), "a replay after a reload must be refused:\n" + replayed);
        }
    }

    private static String answer(String challenge, String uri) {
        DigestClient client = ProxyFixture.aliceDigestClient();
        DigestAnswer answer = client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                List.of(UdpSipClient.header(challenge, "WWW-Authenticate")), "REGISTER", uri);
        assertTrue(answer.answered(), answer.toString());
        return answer.headerValue().orElseThrow();
    }
}
