package org.sipshield.proxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.Sipp;

/**
 * The JSON admin API with real peers: each change is first tried as an attacker would (no token, a
 * wrong one) and must be refused with 401 and leave the proxy as it was; then the operator makes it
 * and it happens: a call ended with BYE on both legs, a registration removed, a source blocked
 * and unblocked, a reload refused with every problem listed, then applied. Each change is logged
 * with who made it.
 */
class AdminApiTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final String WRONG_TOKEN = "c2lwc2hpZWxkLWd1ZXNzZWQtdG9rZW4tMDAwMDAwMDA";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static Curl curl;
    static String token;
    static String extraYaml;
    static int pbxPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        ProxyFixture fixture = new ProxyFixture().management().carrierAndPbx(CARRIER, 5060, PBX, pbxPort)
                .phoneProfile("{name: Digest Phones, enableDigestAuthentication: true}").alicePhone("Digest Phones");
        extraYaml = fixture.extraYaml();
        proxy = fixture.start(dataDirectory);
        curl = new Curl(dataDirectory, proxy.managementPort);
        token = new AdminToken(dataDirectory).rotate();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** The attacker's two tries at one change: both 401, both logged as failures, neither an admin action. */
    static void refusedToStrangers(String method, String path, String body) {
        try (SecurityLog log = new SecurityLog()) {
            for (String guess : new String[] {null, WRONG_TOKEN}) {
                Curl.Answer answer = body == null ? curl.request(method, path, guess, null) : curl.json(method, path, guess, body);
                assertEquals(401, answer.status(), method + " " + path + ": " + answer.output());
                assertFalse(answer.body().contains("{"), "nothing of the API's answer: " + answer.body());
            }
            assertEquals(2, log.lines("admin-auth-failure").size(), log.lines("").toString());
            assertTrue(log.lines("admin-action").isEmpty(), log.lines("").toString());
            assertFalse(String.join("\n", log.lines("")).contains(WRONG_TOKEN), "a presented token never reaches the log");
        }
    }

    static JsonNode get(String path) throws Exception {
        Curl.Answer answer = curl.get(path, token);
        assertEquals(200, answer.status(), answer.output());
        return JSON.readTree(answer.body());
    }

    @Test
    void aCallIsListedWithItsLegsAndOnlyTheOperatorEndsIt() throws Exception {
        try (Sipp.Server pbx = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", PBX, pbxPort);
                Sipp.Server caller = Sipp.startClient("uac-call-await-bye.xml",
                        Map.of("caller", "5550101", "called", "8001"), "udp", CARRIER, "127.0.0.1", proxy.sipPort)) {
            JsonNode call = awaitAnsweredCall();
            assertEquals("UDP", call.at("/legA/transport").asText(), call.toString());
            assertEquals("UDP", call.at("/legB/transport").asText(), call.toString());
            assertEquals("RTP", call.at("/legA/srtpSuite").asText(), call.toString());
            assertEquals("NotAuthenticated", call.at("/security").asText(), call.toString());
            assertTrue(call.at("/legA/tlsSuite").isNull(), call.toString());
            assertFalse(call.toString().contains("inline:") || call.toString().contains("v=0"), "no SDP, no keys: " + call);
            String path = "/api/calls/" + call.get("id").asLong();

            refusedToStrangers("DELETE", path, null);
            assertEquals(1, get("/api/calls").get("calls").size(), "the call is still up");

            try (SecurityLog log = new SecurityLog()) {
                Curl.Answer ended = curl.request("DELETE", path, token, null);
                assertEquals(200, ended.status(), ended.output());
                assertEquals(1, log.lines("admin-action").size(), log.lines("").toString());
                assertTrue(log.lines("admin-action").get(0).contains("who=token action=terminate-call call="),
                        log.lines("").toString());
            }
            ProcessOutput legA = caller.finish();
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output());
            assertEquals(0, legB.exitCode(), legB.output());
            assertTrue(legA.output().contains("ended by the operator"), legA.output());
            assertTrue(legB.output().contains("ended by the operator"), legB.output());
            assertEquals(404, curl.request("DELETE", path, token, null).status(), "ended once");
        }
        assertEquals(0, proxy.server.activeCalls());
    }

    private static JsonNode awaitAnsweredCall() throws Exception {
        for (int attempt = 0; attempt < 600; attempt++) {
            JsonNode calls = get("/api/calls").get("calls");
            if (calls.size() == 1 && calls.get(0).get("state").asText().equals("CONFIRMED")
                    && calls.get(0).at("/legB/transport").isTextual()) {
                return calls.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answered call listed: " + get("/api/calls"));
    }

    @Test
    void aRegistrationIsListedAndOnlyTheOperatorRemovesIt() throws Exception {
        ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                "password", "alice-secret", "contact", "sip:2001@127.0.0.1:5999", "expect", "200"),
                "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());
        JsonNode registrations = get("/api/registrations").get("registrations");
        assertEquals(1, registrations.size(), registrations.toString());
        assertEquals("SEPALICE00001", registrations.get(0).get("device").asText());
        assertEquals("2001", registrations.get(0).get("line").asText());
        assertEquals("UDP", registrations.get(0).get("transport").asText());
        assertEquals(proxy.server.config().server().nodeName(), registrations.get(0).get("node").asText());
        assertEquals("127.0.0.1:" + proxy.sipPort, registrations.get(0).get("listener").asText());
        assertFalse(registrations.toString().contains("alice-secret"), registrations.toString());

        refusedToStrangers("DELETE", "/api/registrations/SEPALICE00001", null);
        assertEquals(1, get("/api/registrations").get("registrations").size(), "still registered");

        Curl.Answer removed = curl.request("DELETE", "/api/registrations/SEPALICE00001", token, null);
        assertEquals(200, removed.status(), removed.output());
        assertEquals(1, JSON.readTree(removed.body()).get("removed").asInt());
        assertEquals(0, get("/api/registrations").get("registrations").size());
        assertEquals(404, curl.request("DELETE", "/api/registrations/SEPALICE00001", token, null).status());
    }

    @Test
    void aBlockedSourceGetsSilenceUntilTheOperatorLiftsIt() throws Exception {
        String block = "{\"source\": \"" + CARRIER + "\", \"seconds\": 600}";
        refusedToStrangers("POST", "/api/blocked", block);
        assertEquals(0, get("/api/blocked").get("blocked").size(), "nothing blocked by a stranger");
        assertEquals(0, options().exitCode(), "the carrier is answered");

        assertEquals(400, curl.json("POST", "/api/blocked", token, "{\"source\": \"carrier.example\", \"seconds\": 600}")
                .status(), "an address, never a name to look up");
        Curl.Answer blocked = curl.json("POST", "/api/blocked", token, block);
        assertEquals(201, blocked.status(), blocked.output());
        JsonNode list = get("/api/blocked").get("blocked");
        assertEquals(1, list.size(), list.toString());
        assertEquals(CARRIER, list.get(0).get("source").asText());
        assertEquals("operator", list.get(0).get("blockedBy").asText());
        assertNotEquals(0, options().exitCode(), "a blocked source, trunk or not, gets no answer at all");

        refusedToStrangers("DELETE", "/api/blocked/" + CARRIER, null);
        assertEquals(1, get("/api/blocked").get("blocked").size(), "still blocked");

        Curl.Answer lifted = curl.request("DELETE", "/api/blocked/" + CARRIER, token, null);
        assertEquals(200, lifted.status(), lifted.output());
        assertEquals(0, get("/api/blocked").get("blocked").size());
        assertEquals(0, options().exitCode(), "answered again");
    }

    @Test
    void aBruteForceBlockIsListedAndOnlyTheOperatorLiftsIt() throws Exception {
        String guesser = "127.0.0.5";
        for (int attempt = 1; attempt <= 5; attempt++) { // security.digestFailureLimit: 5 by default
            Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice", "password", "guess-" + attempt,
                    "contact", "sip:2001@" + guesser + ":5999", "expect", "401"), "udp", guesser, "127.0.0.1", proxy.sipPort);
        }
        JsonNode blocked = get("/api/blocked").get("blocked");
        assertTrue(blocked.toString().contains("\"source\":\"" + guesser + "\""), blocked.toString());
        assertTrue(blocked.toString().contains("\"blockedBy\":\"brute-force\""), blocked.toString());
        assertFalse(blocked.toString().contains("guess-"), "never a tried password: " + blocked);

        refusedToStrangers("DELETE", "/api/blocked/" + guesser, null);
        assertTrue(get("/api/blocked").toString().contains(guesser), "still blocked");

        Curl.Answer lifted = curl.request("DELETE", "/api/blocked/" + guesser, token, null);
        assertEquals(200, lifted.status(), lifted.output());
        assertFalse(get("/api/blocked").toString().contains(guesser));
        ProcessOutput heardAgain = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice", "password", "guess-6",
                "contact", "sip:2001@" + guesser + ":5999", "expect", "401"), "udp", guesser, "127.0.0.1", proxy.sipPort);
        assertEquals(0, heardAgain.exitCode(), "a wrong password is challenged again, not refused: " + heardAgain.output());
    }

    private static ProcessOutput options() {
        return Sipp.client("uac-request.xml", Map.of("method", "OPTIONS", "caller", "5550100", "called", "8001",
                "expect", "200"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
    }

    @Test
    void aReloadWithProblemsIsRefusedWithEveryProblemAndAGoodOneApplies() throws Exception {
        Path file = dataDirectory.resolve("reload.yaml");
        proxy.server.configFile(file);
        Files.writeString(file, proxy.yaml(extraYaml + """
                sipTrunks:
                  - {name: carrier, securityProfile: No Such Profile, destinations: ["127.0.0.2:5060"]}
                registrar: {minExpires: -1}
                """));
        refusedToStrangers("POST", "/api/reload", null);

        Curl.Answer refused = curl.request("POST", "/api/reload", token, null);
        assertEquals(422, refused.status(), refused.output());
        JsonNode answer = JSON.readTree(refused.body());
        assertFalse(answer.get("applied").asBoolean());
        assertTrue(answer.get("problems").size() >= 2, "every problem, not the first: " + answer);
        assertEquals(2, get("/api/trunks").get("trunks").size(), "the running configuration stays");

        Files.writeString(file, proxy.yaml(extraYaml.replace("destinations: [\"" + PBX, "destinations: [\"127.0.0.4:5070\", \"" + PBX)));
        Curl.Answer applied = curl.request("POST", "/api/reload", token, null);
        assertEquals(200, applied.status(), applied.output());
        assertTrue(JSON.readTree(applied.body()).get("applied").asBoolean());
        JsonNode pbx = get("/api/trunks").get("trunks").get(1);
        assertEquals("pbx", pbx.get("name").asText());
        assertEquals("127.0.0.4:5070", pbx.get("destinations").get(0).asText(), pbx.toString());
    }

    @Test
    void certificatesShowTheirDaysToExpiry() throws Exception {
        JsonNode certificates = get("/api/certificates").get("certificates");
        boolean sip = false;
        boolean https = false;
        for (JsonNode certificate : certificates) {
            sip |= certificate.get("name").asText().equals("sip");
            https |= certificate.get("name").asText().equals("https");
            assertTrue(certificate.get("daysToExpiry").asLong() > 300, certificate.toString());
        }
        assertTrue(sip && https, certificates.toString());
        assertFalse(certificates.toString().contains("PRIVATE"), "certificates only, never a key");
    }
}
