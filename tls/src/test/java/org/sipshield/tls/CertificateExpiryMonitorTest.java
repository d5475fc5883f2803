package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.testing.MutableClock;

class CertificateExpiryMonitorTest {
    private static final Instant START = Instant.parse("2027-01-01T00:00:00Z");
    private static TestPki ca;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void ca() throws Exception {
        ca = new TestPki("Expiry CA", null);
    }

    private static X509Certificate expiringAt(Instant notAfter) throws Exception {
        return ca.certify(new X500Name("CN=trunk.example.net"), TestPki.rsa(2048).getPublic(),
                notAfter.minus(Duration.ofDays(365)), Duration.ofDays(365));
    }

    @Test
    void warnsFromTheStartTimeAtTheFrequencyThenHourlyWithinADay() throws Exception {
        X509Certificate certificate = expiringAt(START.plus(Duration.ofDays(40)));
        MutableClock clock = new MutableClock(START);
        List<ExpiryWarning> heard = new CopyOnWriteArrayList<>();
        CertificateExpiryMonitor monitor = new CertificateExpiryMonitor(
                new CertificateExpiryMonitor.Settings(30, Duration.ofDays(7)),
                () -> Map.of("sip-trust/trunk", certificate), clock, List.of(heard::add));

        assertTrue(monitor.runOnce().isEmpty(), "40 days left: before the notification start time");
        assertEquals(Duration.ofDays(1), monitor.nextRunDelay());

        clock.advance(Duration.ofDays(11));
        List<ExpiryWarning> first = monitor.runOnce();
        assertEquals(1, first.size());
        assertEquals("sip-trust/trunk", first.get(0).certificate());
        assertEquals(29, first.get(0).daysRemaining());
        assertFalse(first.get(0).expired());

        clock.advance(Duration.ofDays(1));
        assertTrue(monitor.runOnce().isEmpty(), "the frequency is a week");
        clock.advance(Duration.ofDays(6));
        assertEquals(22, monitor.runOnce().get(0).daysRemaining());

        clock.set(START.plus(Duration.ofDays(40)).minus(Duration.ofHours(12)));
        assertEquals(1, monitor.runOnce().size(), "within a day: warn regardless of the weekly frequency");
        assertEquals(Duration.ofHours(1), monitor.nextRunDelay());
        clock.advance(Duration.ofMinutes(30));
        assertTrue(monitor.runOnce().isEmpty());
        clock.advance(Duration.ofMinutes(30));
        assertEquals(1, monitor.runOnce().size(), "hourly once within a day");

        clock.set(START.plus(Duration.ofDays(41)));
        ExpiryWarning expired = monitor.runOnce().get(0);
        assertTrue(expired.expired());
        assertTrue(expired.message().contains("expired on"), expired.message());
        assertEquals(Duration.ofHours(1), monitor.nextRunDelay());
        assertEquals(5, heard.size(), "every warning reached the listener");
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new CertificateExpiryMonitor.Settings(0, Duration.ofDays(1)));
        assertThrows(IllegalArgumentException.class, () -> new CertificateExpiryMonitor.Settings(30, Duration.ofMinutes(5)));
    }

    @Test
    void theDataDirectorysIdentitiesAndTrustStoresAreWatched() throws Exception {
        CertificateManager manager = new CertificateManager(dataDir);
        manager.regenerate(CertificatePurpose.SIP, "sbc.example.net", List.of(), KeySpec.RSA_2048, SignatureHash.SHA256, Duration.ofDays(10));
        TrustStore trust = new TrustStore(dataDir, CertificatePurpose.HTTPS);
        String id = trust.add(ca.caCertificate.getEncoded()).get(0).id();
        Map<String, X509Certificate> watched = CertificateExpiryMonitor.certificatesIn(dataDir).get();
        assertEquals(List.of("sip", "https-trust/" + id), List.copyOf(watched.keySet()));

        CertificateExpiryMonitor monitor = new CertificateExpiryMonitor(new CertificateExpiryMonitor.Settings(30, Duration.ofDays(1)),
                CertificateExpiryMonitor.certificatesIn(dataDir), java.time.Clock.systemUTC(), List.of());
        List<ExpiryWarning> warnings = monitor.runOnce();
        assertEquals(1, warnings.size());
        assertEquals("sip", warnings.get(0).certificate());
        List<ExpiryWarning> snapshot = monitor.snapshot();
        assertEquals(2, snapshot.size(), "the snapshot lists every certificate, due or not");
        assertEquals("sip", snapshot.get(0).certificate());
        assertEquals(9, snapshot.get(0).daysRemaining());
    }

    @Test
    void theWebhookReceivesEachWarningAsJson() throws Exception {
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
        server.createContext("/hooks/certs", exchange -> {
            bodies.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/certs");
            X509Certificate certificate = expiringAt(START.plus(Duration.ofDays(3)));
            CertificateExpiryMonitor monitor = new CertificateExpiryMonitor(new CertificateExpiryMonitor.Settings(14, Duration.ofDays(1)),
                    () -> Map.of("sip", certificate), new MutableClock(START),
                    List.of(new WebhookExpiryNotifier(uri, Duration.ofSeconds(5))));
            monitor.runOnce();
            String body = bodies.poll(10, TimeUnit.SECONDS);
            assertTrue(body.startsWith("POST application/json {\"event\":\"certificate-expiry\",\"certificate\":\"sip\","), body);
            assertTrue(body.contains("\"subject\":\"CN=trunk.example.net\""), body);
            assertTrue(body.contains("\"notAfter\":\"2027-01-04T00:00:00Z\""), body);
            assertTrue(body.contains("\"daysRemaining\":3,\"expired\":false"), body);
        } finally {
            server.stop(0);
        }
        // A dead webhook is logged, never thrown at the monitor.
        new WebhookExpiryNotifier(URI.create("http://127.0.0.1:" + ExternalProcess.freePort() + "/"), Duration.ofSeconds(2))
                .onExpiryWarning(new ExpiryWarning("sip", "CN=x", START, Duration.ofDays(1)));
        assertThrows(IllegalArgumentException.class, () -> new WebhookExpiryNotifier(URI.create("ftp://x/"), Duration.ofSeconds(1)));
    }
}
