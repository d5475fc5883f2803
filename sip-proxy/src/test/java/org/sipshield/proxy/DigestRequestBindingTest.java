package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.digest.DigestClient;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * Digest credentials hold for the request they were computed for, on the wire: an Authorization
 * captured from one INVITE and sent with another Request-URI (an attacker re-aiming a phone's
 * call at a premium number) is refused, logged and counted; under qop=auth-int a changed body is
 * refused and the body as sent passes.
 */
class DigestRequestBindingTest {
    @TempDir
    Path dataDirectory;

    RunningProxy proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = new ProxyFixture().yaml("""
                security:
                  digestFailureLimit: 3
                  blockedSource: REJECT_403
                """).phoneProfile("{name: digest phones, enableDigestAuthentication: true}")
                .alicePhone("digest phones").start(dataDirectory);
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    private String uri(String user) {
        return "sip:" + user + "@127.0.0.1:" + proxy.sipPort;
    }

    private static String credentials(String challenge, String uri, byte[] authIntBody) {
        String offered = UdpSipClient.header(challenge, "Proxy-Authenticate");
        if (authIntBody != null) {
            // The proxy offers qop=auth; a client may still answer auth-int, which covers the body as well.
            assertTrue(offered.contains("qop=\"auth\""), offered);
            offered = offered.replace("qop=\"auth\"", "qop=\"auth-int\"");
        }
        DigestClient alice = ProxyFixture.aliceDigestClient();
        return alice.answer(DigestHeaderKind.PROXY_AUTHENTICATE, List.of(offered), "INVITE", uri, authIntBody, null)
                .headerValue().orElseThrow();
    }

    /** An INVITE from line 2001 with these credentials (none if null) and this SDP body (none if null). */
    private static String invite(UdpSipClient phone, String requestUri, String callId, int cseq, String credentials, String sdp) {
        String request = phone.request("INVITE", requestUri, "2001", "2002", callId, cseq,
                credentials == null ? "" : "Proxy-Authorization: " + credentials + "\r\n");
        return sdp == null ? request : request.replace("Content-Length: 0\r\n\r\n",
                "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp);
    }

    private String challenge(String callId) throws Exception {
        try (UdpSipClient phone = new UdpSipClient("127.0.0.1", "127.0.0.1", proxy.sipPort)) {
            String challenge = phone.exchange(invite(phone, uri("2002"), callId, 1, null, null));
            assertTrue(challenge.startsWith("SIP/2.0 407"), challenge);
            return challenge;
        }
    }

    /**
     * One INVITE on a socket of its own (a final answer past digest is retransmitted until ACKed)
     * and a Call-ID of its own (the branch derives from it: the same one would be a retransmission).
     */
    private String send(String requestUri, String callId, String credentials, String sdp) throws Exception {
        try (UdpSipClient phone = new UdpSipClient("127.0.0.1", "127.0.0.1", proxy.sipPort)) {
            return phone.exchange(invite(phone, requestUri, callId, 2, credentials, sdp));
        }
    }

    /** Answered by a later step (no route to 2002 here): digest let the request through. */
    private static void assertPastDigest(String answer) {
        assertTrue(answer.matches("(?s)SIP/2\\.0 [2-6]\\d\\d .*") && !answer.startsWith("SIP/2.0 407")
                && !answer.startsWith("SIP/2.0 403"), answer);
    }

    @Test
    void anAuthorizationReaimedAtAnotherRequestUriIsRefusedLoggedAndCounted() throws Exception {
        try (SecurityLog log = new SecurityLog()) {
            String captured = credentials(challenge("reaim-1"), uri("2002"), null);

            String reaimed = send(uri("19005550100"), "reaim-2", captured, null);
            assertTrue(reaimed.startsWith("SIP/2.0 407"), "credentials for 2002 must not call another number:\n" + reaimed);
            assertEquals(1, log.lines("SECURITY digest-auth-failure src=127.0.0.1").stream()
                    .filter(line -> line.endsWith("user=\"alice\" realm=\"ccmsipline\" reason=uri-mismatch")).count(),
                    log.lines("SECURITY").toString());
            assertFalse(log.lines("").stream().anyMatch(line -> line.contains(captured)), "no credentials in the log");

            // The phone's own request, with the same credentials, still passes digest.
            String rightful = send(uri("2002"), "reaim-3", captured, null);
            assertPastDigest(rightful);
        }
    }

    @Test
    void theRequestUriIsComparedAsASipUriNotAsText() throws Exception {
        String spelledOtherwise = credentials(challenge("spelling-1"), "sip:2002@LocalHost:" + proxy.sipPort, null);
        String answer = send("sip:2002@localhost:" + proxy.sipPort, "spelling-2", spelledOtherwise, null);
        assertPastDigest(answer);
    }

    @Test
    void reaimedAuthorizationsBlockTheSourceLikeWrongPasswords() throws Exception {
        String captured = credentials(challenge("block-1"), uri("2002"), null);
        for (int attempt = 1; attempt < 3; attempt++) {
            String reaimed = send(uri("1900555010" + attempt), "block-a" + attempt, captured, null);
            assertTrue(reaimed.startsWith("SIP/2.0 407"), "attempt " + attempt + ":\n" + reaimed);
        }
        assertTrue(send(uri("19005550103"), "block-a3", captured, null).startsWith("SIP/2.0 403"), "the limit is reached");
        assertTrue(send(uri("2002"), "block-a4", captured, null).startsWith("SIP/2.0 403"), "blocked, even when right");
    }

    @Test
    void authIntCoversTheBodyAsSent() throws Exception {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
        try (SecurityLog log = new SecurityLog()) {
            String authInt = credentials(challenge("int-1"), uri("2002"), sdp.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertTrue(authInt.contains("qop=auth-int"), authInt);

            String tampered = send(uri("2002"), "int-2", authInt, sdp.replace("40000", "40002"));
            assertTrue(tampered.startsWith("SIP/2.0 407"), "a changed body must not pass:\n" + tampered);
            assertTrue(log.lines("reason=bad-credentials").size() == 1, log.lines("SECURITY").toString());

            String asSent = send(uri("2002"), "int-3", authInt, sdp);
            assertPastDigest(asSent);
        }
    }
}
