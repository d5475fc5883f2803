package org.sipshield.proxy.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.SipTrunk;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.digest.LocalCounters;
import org.sipshield.digest.NonceSecret;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.security.DigestContext;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.transport.JainSipLogger;

/**
 * The retry TrunkChallengeResponder builds from a request we sent and the trunk's 401/407, on a
 * real jain-sip stack and a real configuration: a new transaction with the next CSeq and our
 * credentials, once per request (stale once more), and nothing for what must not be answered.
 * That a carrier accepts it is KamailioEveryRequestChallengeTest's part.
 */
class TrunkChallengeResponderTest {
    private static final String BYE = """
            BYE sip:far@127.0.0.3:5060 SIP/2.0\r
            Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-sent-once\r
            Route: <sip:127.0.0.6:5060;lr>\r
            From: <sip:2001@127.0.0.1>;tag=ours\r
            To: <sip:9123@127.0.0.6>;tag=theirs\r
            Call-ID: leg-b-call\r
            CSeq: 7 BYE\r
            Max-Forwards: 70\r
            Proxy-Authorization: Digest username="sipshield", realm="proxy.example", nonce="n0", uri="sip:far@127.0.0.3:5060", response="00000000000000000000000000000000"\r
            Content-Length: 0\r
            \r
            """;

    @TempDir
    Path dataDirectory;

    /** One stack for the class: jain-sip cannot stop a UDP processor whose thread has not run yet. */
    private static SipStack stack;
    private static SipProvider provider;
    private static SipMessaging sip;
    private SecurityModel model;
    private TrunkChallengeResponder responder;
    private Peer.Trunk carrier;

    @BeforeAll
    static void startStack() throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", "responder-test-" + System.nanoTime());
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", JainSipLogger.class.getName());
        stack = factory.createSipStack(properties);
        ListeningPoint point = stack.createListeningPoint("127.0.0.1", FreePorts.udpAndTcp(), ListeningPoint.UDP);
        provider = stack.createSipProvider(point);
        sip = new SipMessaging(factory.createMessageFactory(), factory.createHeaderFactory(),
                factory.createAddressFactory(), List.of(provider), "127.0.0.1");
    }

    @AfterAll
    static void stopStack() throws InterruptedException {
        // the processor thread sets up, as it starts running, the list stop() walks: let it run first
        String name = "MessageProcessorThread-UDP-";
        for (int i = 0; i < 100 && Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith(name) && t.getState() != Thread.State.NEW); i++) {
            Thread.sleep(20);
        }
        Thread.sleep(50);
        stack.stop();
    }

    @BeforeEach
    void start() throws Exception {
        String sha256 = DigestChecksum.compute(DigestAlgorithm.SHA_256, "sipshield", "carrier.example",
                "trunk-secret".toCharArray()).toStoredForm();
        SipShieldConfig config = ConfigLoader.parse("""
                server: {hostName: 127.0.0.1, dataDirectory: %s}
                listeners: # only read: the class's stack binds its own port
                  - {transport: UDP, address: 127.0.0.1, port: 5060}
                  - {transport: TCP, address: 127.0.0.1, port: 5060}
                sipTrunkSecurityProfiles:
                  - {name: carrier profile}
                sipTrunks:
                  - {name: carrier, securityProfile: carrier profile, destinations: ["127.0.0.6:5060"]}
                sipRealms:
                  - {realm: carrier.example, trunk: carrier, user: sipshield, digestCredentials: {SHA-256: %s}}
                """.formatted(dataDirectory, sha256.substring(sha256.indexOf(':') + 1)), "test.yaml");
        model = new SecurityModel(config, new DigestContext(NonceSecret.generate(new SecureRandom()),
                LocalCounters.withDefaults(Clock.systemUTC()), Clock.systemUTC(), new SecureRandom()));
        SipTrunk trunk = model.trunk("carrier").orElseThrow();
        carrier = new Peer.Trunk(trunk, model.profileOf(trunk));

        responder = new TrunkChallengeResponder(sip, () -> model);
    }

    private Request sentBye() throws Exception {
        return sip.messages.createRequest(BYE);
    }

    private Response challenge(Request sent, int status, String realm, String nonce, String extra) throws Exception {
        Response response = sip.messages.createResponse(status, sent);
        String header = status == Response.UNAUTHORIZED ? "WWW-Authenticate" : "Proxy-Authenticate";
        response.addHeader(sip.headers.createHeader(header, "Digest realm=\"" + realm + "\", nonce=\"" + nonce
                + "\", qop=\"auth\", algorithm=SHA-256" + extra));
        return response;
    }

    @Test
    void theRetryIsANewTransactionWithTheNextCSeqAndOurCredentials() throws Exception {
        Request sent = sentBye();
        TrunkChallengeResponder.Retry retry = responder.retry(sent, challenge(sent, 401, "carrier.example", "n1", ""),
                carrier, null, provider).orElseThrow();
        Request again = retry.request();
        assertEquals(8, ((CSeqHeader) again.getHeader(CSeqHeader.NAME)).getSeqNumber());
        assertEquals(Request.BYE, again.getMethod());
        // jain-sip gives a Via without branch a fresh one: the retry is its own transaction
        assertNull(((ViaHeader) again.getHeader(ViaHeader.NAME)).getBranch());
        assertEquals(sent.getHeader("Call-ID"), again.getHeader("Call-ID"));
        assertEquals(sent.getHeader("Route"), again.getHeader("Route"));
        String authorization = again.getHeader("Authorization").toString();
        for (String part : List.of("username=\"sipshield\"", "realm=\"carrier.example\"", "nonce=\"n1\"",
                "uri=\"sip:far@127.0.0.3:5060\"", "algorithm=SHA-256", "qop=auth", "nc=00000001", "cnonce=")) {
            assertTrue(authorization.contains(part), part + " in " + authorization);
        }
        // a 401 answers for the UAS: credentials we gave a proxy on the way stay (RFC 3261 22.3)
        assertEquals(sent.getHeader("Proxy-Authorization"), again.getHeader("Proxy-Authorization"));
        assertEquals(7, ((CSeqHeader) sent.getHeader(CSeqHeader.NAME)).getSeqNumber(),
                "the challenged request itself is left as it was");
    }

    @Test
    void aChallengeIsAnsweredOnceAndAStaleNonceOnceMore() throws Exception {
        Request sent = sentBye();
        TrunkChallengeResponder.Retry first = responder.retry(sent, challenge(sent, 407, "carrier.example", "n1", ""),
                carrier, null, provider).orElseThrow();
        String firstCredentials = first.request().getHeader("Proxy-Authorization").toString();
        assertTrue(firstCredentials.contains("nonce=\"n1\""), firstCredentials);

        Request resent = first.request();
        assertEquals(Optional.empty(), responder.retry(resent, challenge(resent, 407, "carrier.example", "n2", ""),
                carrier, first.answer(), provider), "our credentials were refused: no second answer");

        TrunkChallengeResponder.Retry stale = responder.retry(resent,
                challenge(resent, 407, "carrier.example", "n2", ", stale=true"), carrier, first.answer(), provider)
                .orElseThrow();
        String staleCredentials = stale.request().getHeader("Proxy-Authorization").toString();
        assertTrue(staleCredentials.contains("nonce=\"n2\""), staleCredentials);
        assertNotEquals(firstCredentials, staleCredentials);
        assertEquals(1, countHeaders(stale.request()), "the refused credentials are replaced, not kept beside");
        Request again = stale.request();
        assertEquals(Optional.empty(), responder.retry(again, challenge(again, 407, "carrier.example", "n3", ", stale=true"),
                carrier, stale.answer(), provider), "stale twice: the peer keeps refusing us");
    }

    private static int countHeaders(Request request) {
        int count = 0;
        for (var headers = request.getHeaders("Proxy-Authorization"); headers.hasNext(); headers.next()) {
            count++;
        }
        return count;
    }

    @Test
    void noAnswerForARealmWithoutCredentialsAnUnknownAlgorithmOrAPeerThatIsNoTrunk() throws Exception {
        Request sent = sentBye();
        assertEquals(Optional.empty(), responder.retry(sent, challenge(sent, 401, "elsewhere.example", "n1", ""),
                carrier, null, provider));
        Response unknownAlgorithm = sip.messages.createResponse(401, sent);
        unknownAlgorithm.addHeader(sip.headers.createHeader("WWW-Authenticate",
                "Digest realm=\"carrier.example\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-1"));
        assertEquals(Optional.empty(), responder.retry(sent, unknownAlgorithm, carrier, null, provider));
        assertEquals(Optional.empty(), responder.retry(sent, challenge(sent, 401, "carrier.example", "n1", ""),
                new Peer.Unknown(), null, provider));
    }

    @Test
    void aRequestMadeByTheDialogStartsWithoutCredentials() throws Exception {
        Request request = sentBye();
        request.addHeader(sip.headers.createHeader("Authorization", "Digest username=\"sipshield\", realm=\"r\", "
                + "nonce=\"n\", uri=\"sip:far@127.0.0.3\", response=\"0\""));
        TrunkChallengeResponder.dropCopiedCredentials(request);
        assertNull(request.getHeader("Proxy-Authorization"));
        assertNull(request.getHeader("Authorization"));
    }

    @Test
    void anAckCarriesExactlyTheCredentialsOfItsInvite() throws Exception {
        Request invite = sip.messages.createRequest(BYE.replace("BYE", "INVITE"));
        invite.addHeader(sip.headers.createHeader("Authorization", "Digest username=\"sipshield\", realm=\"r\", "
                + "nonce=\"n\", uri=\"sip:far@127.0.0.3\", response=\"1\""));
        Request ack = sip.messages.createRequest(BYE.replace("BYE", "ACK"));
        ack.setHeader(sip.headers.createHeader("Proxy-Authorization", "Digest username=\"sipshield\", realm=\"old\", "
                + "nonce=\"old\", uri=\"sip:far@127.0.0.3\", response=\"2\""));
        TrunkChallengeResponder.copyCredentials(invite, ack);
        assertEquals(invite.getHeader("Authorization"), ack.getHeader("Authorization"));
        assertEquals(invite.getHeader("Proxy-Authorization"), ack.getHeader("Proxy-Authorization"));
    }
}
