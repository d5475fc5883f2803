package org.sipshield.proxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.cli.Main;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * The management listener from the attacker's side and the operator's: only /health/live without
 * credentials; no token, a wrong token, the token of before a rotation and a client certificate
 * the https trust store does not vouch for are all refused and logged; the current token and a
 * trusted client certificate get in.
 */
class ManagementApiTest {
    @TempDir
    static Path dataDirectory;
    @TempDir
    static Path pki;

    static RunningProxy proxy;
    static int managementPort;
    static Curl curl;
    static Path[] operatorCertificate;
    static Path[] intruderCertificate;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = new TestCertificates(pki);
        new TrustStore(dataDirectory, CertificatePurpose.HTTPS).add(Files.readAllBytes(certificates.caCertificate()));
        operatorCertificate = certificates.issue("noc-operator", true, "noc.example");
        intruderCertificate = certificates.issue("intruder", false, "intruder.example");
        proxy = new ProxyFixture().management("address: 127.0.0.1").start(dataDirectory);
        curl = new Curl(dataDirectory, proxy.managementPort);
        managementPort = proxy.managementPort;
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** The operator's command: `sipshield admin token --data-dir DIR`, its output the new token. */
    static String rotateToken() {
        StringWriter out = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out))
                .execute("admin", "--data-dir", dataDirectory.toString(), "token");
        assertEquals(0, exit, out.toString());
        return out.toString().trim();
    }

    @Test
    void aReloadThatMovesTheListenerIsRefusedNotIgnored() {
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> proxy.reload("management: {address: 127.0.0.1, port: 1}\n"));
        assertTrue(refused.getMessage().contains("management.port: " + managementPort + " -> 1 changes only with a restart"),
                refused.getMessage());
        assertEquals(200, curl.get("/health/live", null).status(), "the listener stays where it was");
    }

    @Test
    void livenessAnswersAnyone() {
        Curl.Answer live = curl.get("/health/live", null);
        assertEquals(200, live.status(), live.output());
    }

    @Test
    void everythingElseWantsCredentialsAndEachRefusalIsLogged() {
        try (SecurityLog log = new SecurityLog()) {
            for (String path : new String[] {"/health/ready", "/metrics", "/no-such-page"}) {
                Curl.Answer anonymous = curl.get(path, null);
                assertEquals(401, anonymous.status(), path + ": " + anonymous.output());
            }
            Curl.Answer drain = curl.request("POST", "/drain", null, null);
            assertEquals(401, drain.status(), drain.output());
            Curl.Answer wrong = curl.get("/metrics", "not-the-token");
            assertEquals(401, wrong.status(), wrong.output());
            assertEquals(4, log.lines("admin-auth-failure").stream().filter(l -> l.contains("reason=no-credentials")).count(),
                    log.lines("admin-auth-failure").toString());
            assertTrue(log.lines("admin-auth-failure").stream().anyMatch(l -> l.contains("src=127.0.0.1")
                    && l.contains("path=/metrics") && l.contains("reason=bad-token")), log.lines("admin").toString());
            assertTrue(log.lines("path=other").size() == 1, "an unknown path is not echoed into the log");
            assertFalse(log.lines("not-the-token").size() > 0, "a presented token never reaches the log");
        }
        assertTrue(proxy.server.metrics().scrape().contains("sipshield_security_events_total{type=\"admin-auth-failure\"}"),
                "refusals are counted by event type");
        assertEquals(null, proxy.server.notReadyBecause(), "no refused request started a drain");
    }

    @Test
    void aRotatedTokenReplacesTheOldOneAtOnce() throws Exception {
        String first = rotateToken();
        assertEquals(200, curl.get("/health/ready", first).status());
        String second = rotateToken();
        assertNotEquals(first, second);
        try (SecurityLog log = new SecurityLog()) {
            Curl.Answer old = curl.get("/health/ready", first);
            assertEquals(401, old.status(), old.output());
            assertEquals(1, log.lines("reason=bad-token").size(), log.lines("admin").toString());
        }
        Curl.Answer current = curl.get("/health/ready", second);
        assertEquals(200, current.status(), current.output());
        assertEquals("ready\n", current.body());
        String stored = Files.readString(dataDirectory.resolve(AdminToken.FILE_NAME));
        assertFalse(stored.contains(second), "only a hash of the token is kept");
        assertTrue(stored.startsWith("pbkdf2-sha256$600000$"), stored);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDirectory.resolve(AdminToken.FILE_NAME))));
    }

    @Test
    void aClientCertificateFromTheHttpsTrustStoreIsEnoughAndAStrangersIsRefusedInTheHandshake() {
        Curl.Answer operator = curl.request("GET", "/health/ready", null, operatorCertificate);
        assertEquals(200, operator.status(), operator.output());
        try (SecurityLog log = new SecurityLog()) {
            Curl.Answer intruder = curl.request("GET", "/metrics", null, intruderCertificate);
            assertNotEquals(0, intruder.curlExit(), "no HTTP exchange for an untrusted certificate: " + intruder.output());
            assertEquals(0, intruder.status());
            assertTrue(log.lines("tls-peer-rejected").stream().anyMatch(l -> l.contains("reason=untrusted-chain")
                    && l.contains("src=127.0.0.1:")),
                    log.lines("").toString());
        }
    }
}
