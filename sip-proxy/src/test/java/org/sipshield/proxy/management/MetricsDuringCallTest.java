package org.sipshield.proxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * /metrics scraped over HTTPS while a real call (sipp carrier -> proxy -> sipp PBX) is up: what
 * Prometheus' own promtool accepts, with the call, its relay session and its ports counted, and no
 * address, user or Call-ID in any label.
 */
class MetricsDuringCallTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static Curl curl;
    static String token;
    static int pbxPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().management().carrierAndPbx(CARRIER, 5060, PBX, pbxPort)
                .phoneProfile("{name: Digest Phones, enableDigestAuthentication: true}").alicePhone("Digest Phones")
                .start(dataDirectory);
        curl = new Curl(dataDirectory, proxy.managementPort);
        token = new AdminToken(dataDirectory).rotate();
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aScrapeDuringACallPassesPromtoolAndCountsTheCall() throws Exception {
        ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                "password", "alice-secret", "contact", "sip:2001@127.0.0.1:5999", "expect", "200"),
                "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
        assertEquals(0, register.exitCode(), register.output());
        String scrape;
        try (Sipp.Server pbx = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", PBX, pbxPort);
                Sipp.Server caller = Sipp.startClient("uac-call-hangup-after.xml",
                        Map.of("caller", "5550100", "called", "8123", "pauseMillis", "10000"),
                        "udp", CARRIER, "127.0.0.1", proxy.sipPort)) {
            scrape = scrapeOnceAnswered();
            ProcessOutput legA = caller.finish();
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\nPBX:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
        }
        promtoolAccepts(scrape);

        assertEquals(1.0, value(scrape, "sipshield_calls_active"), scrape);
        assertEquals(1.0, value(scrape, "sipshield_calls_total{result=\"answered\"}"), scrape);
        assertEquals(1.0, value(scrape, "sipshield_relay_sessions_active"), scrape);
        assertEquals(2.0, value(scrape, "sipshield_relay_port_pairs_used"), scrape);
        assertEquals(5000.0 - 2, value(scrape, "sipshield_relay_port_pairs_free"), "20000..29999: 5,000 pairs, 2 in use");
        assertTrue(value(scrape, "sipshield_sip_requests_total{method=\"INVITE\",transport=\"UDP\"}") >= 1, scrape);
        assertTrue(value(scrape, "sipshield_sip_responses_total{code=\"200\",transport=\"UDP\"}") >= 1, scrape);
        assertEquals(0.0, value(scrape, "sipshield_draining"), scrape);
        assertEquals(1.0, value(scrape, "sipshield_registrations_active"), scrape);
        assertEquals(1.0, value(scrape, "sipshield_digest_outcomes_total{outcome=\"no-credentials\"}"), "the challenge");
        assertEquals(1.0, value(scrape, "sipshield_digest_outcomes_total{outcome=\"ok\"}"), "the answer");
        assertTrue(value(scrape, "sipshield_sip_requests_total{method=\"REGISTER\",transport=\"UDP\"}") >= 2, scrape);
        assertTrue(scrape.contains("sipshield_jvm_memory_used_bytes{"), "JVM metrics, prefixed too");
        assertEquals(1.0, value(scrape, "sipshield_trunk_calls_active{direction=\"in\",trunk=\"carrier\"}"), scrape);
        assertEquals(1.0, value(scrape, "sipshield_trunk_calls_active{direction=\"out\",trunk=\"pbx\"}"), scrape);
        assertEquals(0.0, value(scrape, "sipshield_trunk_calls_active{direction=\"out\",trunk=\"carrier\"}"), scrape);
        assertEquals(1.0, value(scrape, "sipshield_trunk_calls_total{direction=\"in\",result=\"answered\",trunk=\"carrier\"}"));
        assertEquals(1.0, value(scrape, "sipshield_trunk_calls_total{direction=\"out\",result=\"answered\",trunk=\"pbx\"}"));
        assertEquals(1.0, value(scrape, "sipshield_call_setup_seconds_count{result=\"answered\"}"), scrape);
        assertEquals(1.0, value(scrape, "sipshield_call_setup_seconds_bucket{result=\"answered\",le=\"+Inf\"}"), scrape);
        assertTrue(value(scrape, "sipshield_call_setup_seconds_sum{result=\"answered\"}") > 0, scrape);
        assertEquals(1.0, value(scrape, "sipshield_trunk_destination_up{destination=\"1\",trunk=\"pbx\"}"),
                "pings off in this test: a destination never pinged counts as up");
        for (String line : scrape.split("\n")) {
            assertTrue(line.startsWith("#") || line.startsWith("sipshield_") || line.isEmpty(), line);
            String labels = line.startsWith("#") || !line.contains("{") ? "" : line.substring(line.indexOf('{'), line.indexOf('}') + 1);
            assertFalse(labels.contains("127.0.0.") || labels.contains("leg-a-") || labels.contains("5550100")
                    || labels.contains("alice") || labels.contains("2001") || labels.contains("8123"),
                    "no address, Call-ID, user or number in a label: " + line);
        }
    }

    /**
     * A TLS handshake that completes (openssl s_client) and one that cannot (plain text on the TLS
     * port, as a scanner sends it) are counted by result and suite; every certificate's expiry is a
     * timestamp, the SIP identity's the one it carries.
     */
    @Test
    void tlsHandshakesAndCertificateExpiryAreInTheScrape() throws Exception {
        String before = scrape();
        String answer = OpenSslClient.exchange("127.0.0.1", proxy.tlsPort, OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort));
        Matcher negotiated = Pattern.compile("Ciphersuite: (\\S+)").matcher(answer);
        assertTrue(negotiated.find(), answer);
        String suite = iana(negotiated.group(1));
        try (Socket scanner = new Socket("127.0.0.1", proxy.tlsPort)) {
            scanner.getOutputStream().write("OPTIONS sip:127.0.0.1 SIP/2.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            scanner.setSoTimeout(30_000);
            while (scanner.getInputStream().read() >= 0) {
                // until the proxy closes the connection it could not make TLS of
            }
        } catch (java.net.SocketException closedHard) {
            // a reset is a close too
        }
        String ok = "sipshield_tls_handshakes_total{result=\"ok\",suite=\"" + suite + "\"}";
        String failed = "sipshield_tls_handshakes_total{result=\"failed\",suite=\"none\"}";
        String scrape = before;
        for (int attempt = 0; attempt < 600; attempt++) {
            scrape = scrape();
            if (valueOr0(scrape, ok) > valueOr0(before, ok) && valueOr0(scrape, failed) > valueOr0(before, failed)) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(valueOr0(before, ok) + 1, valueOr0(scrape, ok), scrape);
        assertEquals(valueOr0(before, failed) + 1, valueOr0(scrape, failed), scrape);
        assertEquals((double) proxy.server.identity().certificate().getNotAfter().toInstant().getEpochSecond(),
                value(scrape, "sipshield_certificate_expiry_timestamp_seconds{name=\"sip\"}"), scrape);
        assertTrue(scrape.contains("sipshield_certificate_expiry_timestamp_seconds{name=\"https\"}"), scrape);
        promtoolAccepts(scrape);
    }

    /** openssl's suite name as the IANA one Java reports (s_client -brief prints OpenSSL's for TLS 1.2, IANA's for 1.3). */
    private static String iana(String openssl) {
        if (openssl.startsWith("TLS_")) {
            return openssl;
        }
        return switch (openssl) {
            case "ECDHE-ECDSA-AES256-GCM-SHA384" -> "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
            case "ECDHE-RSA-AES256-GCM-SHA384" -> "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
            case "ECDHE-ECDSA-AES128-GCM-SHA256" -> "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
            case "ECDHE-RSA-AES128-GCM-SHA256" -> "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
            default -> throw new AssertionError("a suite this test does not know: " + openssl);
        };
    }

    private static String scrape() {
        Curl.Answer answer = curl.get("/metrics", token);
        assertEquals(200, answer.status(), answer.output());
        return answer.body();
    }

    private static void promtoolAccepts(String scrape) throws Exception {
        Path file = Files.createTempFile(dataDirectory, "scrape", ".prom");
        Files.writeString(file, scrape);
        ProcessOutput promtool = ProcessOutput.run(List.of("sh", "-c", "promtool check metrics < " + file), dataDirectory, 120);
        assertEquals(0, promtool.exitCode(), promtool.output() + "\n" + scrape);
    }

    private static double valueOr0(String scrape, String series) {
        return Pattern.compile("(?m)^" + Pattern.quote(series) + " ").matcher(scrape).find() ? value(scrape, series) : 0;
    }

    /** Scrapes until the call shows as answered (the caller's 200 crossed the proxy), then returns that scrape. */
    private static String scrapeOnceAnswered() throws InterruptedException {
        for (int attempt = 0; attempt < 600; attempt++) {
            Curl.Answer answer = curl.get("/metrics", token);
            assertEquals(200, answer.status(), answer.output());
            if (answer.body().contains("sipshield_calls_total{result=\"answered\"}")) {
                return answer.body();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the call was never answered");
    }

    private static double value(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        if (!matcher.find()) {
            throw new AssertionError("no " + series + " in the scrape");
        }
        return Double.parseDouble(matcher.group(1));
    }
}
