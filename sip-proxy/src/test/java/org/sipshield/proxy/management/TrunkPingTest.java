package org.sipshield.proxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.Kamailio;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.Stunnel;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * Trunk destinations pinged with OPTIONS by the real proxy, answered (or not) by real peers: sipp
 * UASes that answer pings with a chosen status and take calls, and a kamailio carrier that
 * challenges every request. What the pings learn is read where an operator reads it (the admin
 * API's trunks, /metrics) and where it matters (a call skips a destination that is down).
 */
class TrunkPingTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX_A = "127.0.0.3";
    static final String PBX_B = "127.0.0.4";
    static final String TCP_PBX = "127.0.0.5";
    static final String KAMAILIO = "127.0.0.6";
    static final String BEHIND_KAMAILIO = "127.0.0.7";
    static final String TLS_IMPOSTOR = "127.0.0.9";
    static final String TLS_SBC = "127.0.0.10";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDirectory;

    @TempDir
    static Path pki;

    static TestCertificates certificates;

    static RunningProxy proxy;
    static Curl curl;
    static String token;
    static final int portA = FreePorts.udpAndTcp();
    static final int portB = FreePorts.udpAndTcp();
    static final int tcpPort = FreePorts.udpAndTcp();
    static final int kamailioPort = FreePorts.udpAndTcp();
    static final int behindKamailioPort = FreePorts.udpAndTcp();
    static final int impostorTlsPort = FreePorts.udpAndTcp();
    static final int sbcTlsPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        int port = FreePorts.udpAndTcp();
        String stored = DigestChecksum.compute(DigestAlgorithm.SHA_256, "sipshield", "carrier.example",
                "trunk-secret".toCharArray()).toStoredForm();
        String ha1 = stored.substring(stored.indexOf(':') + 1);
        certificates = new TestCertificates(pki);
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        proxy = new RunningProxy(dataDirectory, "management: {port: " + port + "}\n" + """
                sipTrunkSecurityProfiles:
                  - {name: udp, incomingTransportType: TCP+UDP, outgoingTransportType: UDP, incomingPort: ${sipPort}}
                  - {name: tcp, incomingTransportType: TCP+UDP, outgoingTransportType: TCP, incomingPort: ${sipPort}}
                  - {name: tls, deviceSecurityMode: Encrypted, outgoingTransportType: TLS, incomingPort: ${tlsPort},
                     secureCertificateSubjectOrSubjectAlternateName: sbc1.carrier.example}
                  - {name: tls-sbc, deviceSecurityMode: Encrypted, outgoingTransportType: TLS, incomingPort: ${tlsPort},
                     secureCertificateSubjectOrSubjectAlternateName: sbc2.carrier.example}
                sipTrunks:
                  - {name: carrier, securityProfile: udp, destinations: ["%s:5060"]}
                  - {name: pbx, securityProfile: udp, destinations: ["%s:%d", "%s:%d"], optionsPingIntervalSeconds: 1}
                  - {name: tcp-pbx, securityProfile: tcp, destinations: ["%s:%d"], optionsPingIntervalSeconds: 1}
                  - {name: challenging, securityProfile: udp, destinations: ["%s:%d"], optionsPingIntervalSeconds: 1}
                  - {name: tls-pbx, securityProfile: tls, destinations: ["%s:%d"], optionsPingIntervalSeconds: 1}
                  - {name: tls-sbc, securityProfile: tls-sbc, destinations: ["%s:%d"], optionsPingIntervalSeconds: 1}
                routePatterns:
                  - {pattern: "8!", trunk: pbx}
                  - {pattern: "7!", trunk: tls-sbc}
                sipRealms:
                  - {realm: carrier.example, trunk: challenging, user: sipshield, digestCredentials: {SHA-256: %s}}
                """.formatted(CARRIER, PBX_A, portA, PBX_B, portB, TCP_PBX, tcpPort, KAMAILIO, kamailioPort,
                        TLS_IMPOSTOR, impostorTlsPort, TLS_SBC, sbcTlsPort, ha1));
        curl = new Curl(dataDirectory, port);
        token = new AdminToken(dataDirectory).rotate();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A sipp trunk destination answering pings with status (and taking calls) until closed. */
    static Sipp.Server destination(String status, String transport, String address, int port) {
        return destination(status, transport, address, port, "<sip:[local_ip]:[local_port];transport=[transport]>");
    }

    /** contact: the Contact its answers carry. */
    static Sipp.Server destination(String status, String transport, String address, int port, String contact) {
        return Sipp.server("uas-options-and-calls.xml", Map.of("status", status, "contact", contact), transport, address, port,
                "-m", "100000", "-timeout", "600s");
    }

    @Test
    void aDestinationThatStopsAnsweringIsSkippedUntilItAnswersAgain() throws Exception {
        try (Sipp.Server a = destination("200", "udp", PBX_A, portA)) {
            awaitDestination("pbx", 0, d -> d.path("state").asText().equals("up") && d.path("lastPing").asText().equals("200"));
            awaitDestination("pbx", 1, d -> d.path("state").asText().equals("down") && d.path("lastPing").asText().equals("timeout"));
            String scrape = scrape();
            assertEquals(1.0, value(scrape, "sipshield_trunk_destination_up{destination=\"1\",trunk=\"pbx\"}"), scrape);
            assertEquals(0.0, value(scrape, "sipshield_trunk_destination_up{destination=\"2\",trunk=\"pbx\"}"), scrape);
        }
        // the one that answered is gone: both are down, and a call to the trunk is refused at once
        awaitDestination("pbx", 0, d -> d.path("state").asText().equals("down"));
        assertEquals(0.0, value(scrape(), "sipshield_trunk_destination_up{destination=\"1\",trunk=\"pbx\"}"));
        ProcessOutput refused = Sipp.client("uac-invite-expect.xml", Map.of("caller", "5550100", "called", "8123",
                "answer", "503"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
        assertEquals(0, refused.exitCode(), "every destination down: 503\n" + refused.output());

        try (Sipp.Server b = destination("200", "udp", PBX_B, portB)) {
            awaitDestination("pbx", 1, d -> d.path("state").asText().equals("up"));
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "8124"), "udp",
                    CARRIER, "127.0.0.1", proxy.sipPort);
            assertEquals(0, call.exitCode(), "the call goes to the second destination\n" + call.output() + b.messages());
            assertTrue(b.messages().contains("INVITE sip:8124@"), b.messages());

            try (Sipp.Server busy = destination("503", "udp", PBX_A, portA)) {
                awaitDestination("pbx", 0, d -> d.path("lastPing").asText().equals("503"));
                assertEquals("down", destinationOf("pbx", 0).path("state").asText(), "a 503 to a ping is down too");
                assertTrue(busy.messages().contains("OPTIONS sip:" + PBX_A + ":" + portA), busy.messages());
            }
            try (Sipp.Server again = destination("404", "udp", PBX_A, portA)) {
                awaitDestination("pbx", 0, d -> d.path("state").asText().equals("up"));
                assertEquals("404", destinationOf("pbx", 0).path("lastPing").asText(), "any other answer is up");
                assertEquals(1.0, value(scrape(), "sipshield_trunk_destination_up{destination=\"1\",trunk=\"pbx\"}"));
            }
        }
    }

    @Test
    void aTcpTrunkIsPingedOverTcp() throws Exception {
        try (Sipp.Server tcp = destination("200", "tcp", TCP_PBX, tcpPort)) {
            awaitDestination("tcp-pbx", 0, d -> d.path("state").asText().equals("up"));
            String messages = tcp.messages();
            assertTrue(messages.contains("OPTIONS sip:" + TCP_PBX + ":" + tcpPort + ";transport=tcp SIP/2.0"), messages);
            assertTrue(messages.contains("Via: SIP/2.0/TCP"), messages);
        }
    }

    @Test
    void aCarriersChallengeToAPingIsAnswered() throws Exception {
        try (Sipp.Server far = destination("200", "udp", BEHIND_KAMAILIO, behindKamailioPort);
                Kamailio kamailio = Kamailio.start("challenging-trunk.cfg", Map.of("realm", "carrier.example",
                        "password", "trunk-secret", "user", "sipshield", "relay", BEHIND_KAMAILIO + ":" + behindKamailioPort,
                        "algorithm", "SHA-256", "challengeEveryRequest", "1", "inDialogRealm", "carrier.example"),
                        KAMAILIO, kamailioPort)) {
            awaitDestination("challenging", 0, d -> d.path("state").asText().equals("up")
                    && d.path("lastPing").asText().equals("200"));
            assertTrue(kamailio.log().contains("authenticated OPTIONS"), kamailio.log());
            assertTrue(far.messages().contains("X-Carrier-Authenticated: sipshield"),
                    "the ping reached the far end only after kamailio checked our answer\n" + far.messages());
        }
    }

    /**
     * A TLS trunk's ping goes over TLS and only to a server that proves the trunk's name: one whose
     * certificate chains to the SIP trust store but names someone else (stunnel in front of a sipp
     * TCP UAS) is refused after the handshake, sent nothing, logged, and down.
     */
    @Test
    void aTlsServerWithoutTheTrunksNameIsNeverPingedAndIsDown() throws Exception {
        Path[] impostor = certificates.issue("other.example", true, "other.example");
        int impostorTcp = FreePorts.udpAndTcp();
        try (SecurityLog security = new SecurityLog();
                Sipp.Server other = destination("200", "tcp", TLS_IMPOSTOR, impostorTcp);
                Stunnel otherTls = Stunnel.start(TLS_IMPOSTOR, impostorTlsPort, impostorTcp, impostor)) {
            for (int i = 0; i < 600 && security.lines("tls-peer-rejected").size() < 2; i++) {
                Thread.sleep(50);
            }
            assertTrue(security.lines("tls-peer-rejected").size() >= 2 && security.lines("tls-peer-rejected").stream()
                    .allMatch(l -> l.contains("src=" + TLS_IMPOSTOR) && l.contains("CN=other.example")),
                    security.lines("").toString());
            // the second refusal came after the first ping's outcome was recorded: the state is the refusal's
            JsonNode state = destinationOf("tls-pbx", 0);
            assertEquals("down", state.path("state").asText(), state.toString());
            assertEquals("unreachable", state.path("lastPing").asText(), state.toString());
            assertTrue(otherTls.log().contains("accepted connection"), "the ping did go over TLS\n" + otherTls.log());
            assertFalse(other.messages().contains("OPTIONS sip:"), "not the trunk's server: sent nothing\n" + other.messages());
        }
    }

    /**
     * The trunk's real server (a certificate from the SIP trust store naming sbc2.carrier.example, stunnel in
     * front of a sipp TCP UAS) is pinged over TLS and is up, and a call routed to the trunk reaches it over TLS.
     */
    @Test
    void aTlsServerWithTheTrunksNameIsPingedAndTakesACall() throws Exception {
        Path[] sbc = certificates.issue("sbc2.carrier.example", true, "sbc2.carrier.example");
        int sbcTcp = FreePorts.udpAndTcp();
        try (Sipp.Server server = destination("200", "tcp", TLS_SBC, sbcTcp,
                "<sip:" + TLS_SBC + ":" + sbcTlsPort + ";transport=tls>");
                Stunnel tls = Stunnel.start(TLS_SBC, sbcTlsPort, sbcTcp, sbc)) {
            awaitDestination("tls-sbc", 0, d -> d.path("state").asText().equals("up") && d.path("lastPing").asText().equals("200"));
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "7100"), "udp",
                    CARRIER, "127.0.0.1", proxy.sipPort);
            assertEquals(0, call.exitCode(), "the call reaches the TLS trunk\n" + call.output() + "\n" + server.messages()
                    + "\n" + tls.log());
            assertTrue(server.messages().contains("INVITE sip:7100@") && server.messages().contains("Via: SIP/2.0/TLS"),
                    server.messages());
        }
    }

    /**
     * A TLS trunk's far end answers with a Contact that names no transport (jain-sip would pick UDP)
     * or names TCP (cleartext, where the re-INVITEs' SDES keys would cross readable): the dialog's
     * requests still go to it over the leg's TLS connection. Behind stunnel only TLS reaches the
     * server, so a BYE it receives came over TLS.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", ";transport=tcp", ";transport=udp"})
    void aTlsTrunksContactNeverMovesTheDialogOffTls(String transport) throws Exception {
        Path[] sbc = certificates.issue("sbc2.carrier.example", true, "sbc2.carrier.example");
        int sbcTcp = FreePorts.udpAndTcp();
        try (Sipp.Server server = destination("200", "tcp", TLS_SBC, sbcTcp,
                "<sip:" + TLS_SBC + ":" + sbcTlsPort + transport + ">");
                Stunnel tls = Stunnel.start(TLS_SBC, sbcTlsPort, sbcTcp, sbc)) {
            awaitDestination("tls-sbc", 0, d -> d.path("state").asText().equals("up"));
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "7100"), "udp",
                    CARRIER, "127.0.0.1", proxy.sipPort);
            assertEquals(0, call.exitCode(), call.output() + "\n" + server.messages());
            for (int attempt = 0; attempt < 300 && !server.messages().contains("BYE sip:"); attempt++) {
                Thread.sleep(100);
            }
            assertTrue(server.messages().contains("BYE sip:"), "the caller's BYE reaches the trunk over TLS\n"
                    + server.messages() + "\n" + tls.log());
        }
    }

    /** Polls the admin API (generous deadline) until the trunk's destination at index matches. */
    static void awaitDestination(String trunk, int index, Predicate<JsonNode> wanted) throws Exception {
        JsonNode last = null;
        for (int attempt = 0; attempt < 1200; attempt++) {
            last = destinationOf(trunk, index);
            if (wanted.test(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("trunk " + trunk + " destination " + (index + 1) + " never got there: " + last);
    }

    static JsonNode destinationOf(String trunk, int index) throws Exception {
        Curl.Answer answer = curl.get("/api/trunks", token);
        assertEquals(200, answer.status(), answer.output());
        for (JsonNode node : JSON.readTree(answer.body()).get("trunks")) {
            if (node.get("name").asText().equals(trunk)) {
                JsonNode destination = node.get("destinationStates").get(index);
                assertFalse(destination.isNull(), node.toString());
                return destination;
            }
        }
        throw new AssertionError("no trunk " + trunk + " in " + answer.body());
    }

    static String scrape() {
        Curl.Answer answer = curl.get("/metrics", token);
        assertEquals(200, answer.status(), answer.output());
        return answer.body();
    }

    static double value(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        if (!matcher.find()) {
            throw new AssertionError("no " + series + " in the scrape\n" + scrape);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
