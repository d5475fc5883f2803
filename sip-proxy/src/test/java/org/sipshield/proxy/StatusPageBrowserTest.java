package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.CallSecurityStatusTest.answer;
import static org.sipshield.proxy.CallSecurityStatusTest.awaitRequest;
import static org.sipshield.proxy.CallSecurityStatusTest.header;
import static org.sipshield.proxy.CallSecurityStatusTest.register;
import static org.sipshield.proxy.CallSecurityStatusTest.request;
import static org.sipshield.proxy.CallSecurityStatusTest.sdp;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.management.AdminToken;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.proxy.peers.TlsSipPeer;
import org.sipshield.proxy.peers.UdpSipClient;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * The status page in Debian's Chromium, driven by chromedriver: three real calls are up through
 * the proxy, an SRTP call over TLS (carrier to an Encrypted phone), an authenticated one (the same
 * carrier with SRTP to an Authenticated phone on TLS without SRTP: the weakest leg decides) and a
 * plain UDP one (sipp to sipp). Without the token the page shows a sign-in form and no data; with
 * it, a lock, a shield and no icon, each on its call, and it refreshes by itself when a call ends.
 * The Authenticated phone registered with a User-Agent that is markup, and an attacker's REGISTER
 * named a digest user that is markup (it reaches the recent security events): the page shows both as text.
 */
class StatusPageBrowserTest {
    static final String CARRIER = "127.0.0.2";
    static final String ENCRYPTED_PHONE = "127.0.0.5";
    static final String AUTHENTICATED_PHONE = "127.0.0.6";
    static final String UDP_CARRIER = "127.0.0.7";
    static final String PBX = "127.0.0.8";
    static final String CARRIER_NAME = "sbc.carrier.example";
    static final String HOSTILE_AGENT = "<img src=x onerror=\"document.title='owned'\">";
    /** A digest user name as an attacker sends it: it reaches the security events (digest failures name the user). */
    static final String HOSTILE_USER = "<img src=x onerror=document.title='owned-by-event'>";
    static final String DIGEST_PHONE = "127.0.0.9";

    @TempDir
    Path dataDirectory;

    @TempDir
    Path pki;

    @TempDir
    Path browserProfile;

    @Test
    void theOperatorSeesALockAShieldAndNoIconAndNoStrangerSeesAnything() throws Exception {
        TestCertificates certificates = new TestCertificates(pki);
        Path[] carrierCertificate = certificates.issue(CARRIER_NAME, true, CARRIER_NAME);
        Path[] encryptedCertificate = certificates.issue("SEP000000003001", true, "SEP000000003001");
        Path[] authenticatedCertificate = certificates.issue("SEP000000003002", true, "SEP000000003002");
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        int managementPort = FreePorts.udpAndTcp();
        int pbxPort = FreePorts.udpAndTcp();
        String yaml = """
                management: {port: %d}
                sipTrunkSecurityProfiles:
                  - name: Encrypted carrier
                    deviceSecurityMode: Encrypted
                    incomingPort: ${tlsPort}
                    secureCertificateSubjectOrSubjectAlternateName: "%s"
                  - name: Non Secure SIP Trunk Profile
                    incomingTransportType: TCP+UDP
                    outgoingTransportType: UDP
                    incomingPort: ${sipPort}
                sipTrunks:
                  - {name: carrier, securityProfile: Encrypted carrier, destinations: ["%s:5061"], srtpAllowed: true}
                  - {name: udp-carrier, securityProfile: Non Secure SIP Trunk Profile, destinations: ["%s:5060"]}
                  - {name: pbx, securityProfile: Non Secure SIP Trunk Profile, destinations: ["%s:%d"]}
                routePatterns:
                  - {pattern: "8!", trunk: pbx}
                phoneSecurityProfiles:
                  - {name: Encrypted phone, deviceSecurityMode: Encrypted, transportType: TLS}
                  - {name: Authenticated phone, deviceSecurityMode: Authenticated, transportType: TLS}
                  - {name: Digest phone, enableDigestAuthentication: true}
                endUsers:
                  - {userId: dave, digestCredentials: {MD5: %s}}
                phones:
                  - {deviceName: SEP000000003001, securityProfile: Encrypted phone, lines: ["3001"]}
                  - {deviceName: SEP000000003002, securityProfile: Authenticated phone, lines: ["3002"]}
                  - {deviceName: SEP000000004001, securityProfile: Digest phone, digestUser: dave, lines: ["4001"]}
                """.formatted(managementPort, CARRIER_NAME, CARRIER, UDP_CARRIER, PBX, pbxPort, DigestChecksum.compute(
                DigestAlgorithm.MD5, "dave", "ccmsipline", "dave-secret".toCharArray()).toStoredForm().substring(4));
        try (RunningProxy proxy = new RunningProxy(dataDirectory, yaml);
                TlsSipPeer encryptedPhone = new TlsSipPeer(ENCRYPTED_PHONE, proxy.tlsPort, encryptedCertificate);
                TlsSipPeer authenticatedPhone = new TlsSipPeer(AUTHENTICATED_PHONE, proxy.tlsPort, authenticatedCertificate);
                TlsSipPeer carrier = new TlsSipPeer(CARRIER, proxy.tlsPort, carrierCertificate);
                Sipp.Server pbx = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", PBX, pbxPort)) {
            String token = new AdminToken(dataDirectory).rotate();
            register(encryptedPhone, proxy.tlsPort, "3001", "encrypted-phone/1.0");
            register(authenticatedPhone, proxy.tlsPort, "3002", HOSTILE_AGENT);
            try (UdpSipClient attacker = new UdpSipClient(DIGEST_PHONE, "127.0.0.1", proxy.sipPort)) {
                String refused = attacker.exchange(attacker.request("REGISTER", "sip:127.0.0.1:" + proxy.sipPort, "4001", "4001",
                        "guess-" + System.nanoTime(), 1, "Authorization: Digest username=\"" + HOSTILE_USER
                                + "\", realm=\"ccmsipline\", nonce=\"bm90LWEtbm9uY2U\", uri=\"sip:127.0.0.1:" + proxy.sipPort
                                + "\", response=\"00000000000000000000000000000000\", algorithm=MD5\r\nExpires: 600\r\n"));
                assertTrue(refused.startsWith("SIP/2.0 401 "), refused);
            }
            String encryptedCall = "lock-" + System.nanoTime();
            call(carrier, encryptedPhone, "3001", encryptedCall, true, proxy.tlsPort);
            String authenticatedCall = "shield-" + System.nanoTime();
            String shieldTag = call(carrier, authenticatedPhone, "3002", authenticatedCall, false, proxy.tlsPort);
            try (Sipp.Server caller = Sipp.startClient("uac-call-await-bye.xml", Map.of("caller", "5550101", "called", "8001"),
                    "udp", UDP_CARRIER, "127.0.0.1", proxy.sipPort);
                    Browser browser = new Browser(browserProfile, spki(dataDirectory.resolve("certs/https.crt.pem")))) {
                WebDriver page = browser.driver;
                page.get("https://127.0.0.1:" + managementPort + "/status");
                browser.await(d -> d.findElement(By.id("sign-in")).isDisplayed(), "the sign-in form");
                assertFalse(page.findElement(By.id("data")).isDisplayed(), "no data without the token");
                assertTrue(page.findElements(By.cssSelector("tbody tr")).isEmpty(), "no row without the token");
                assertFalse(page.getPageSource().contains("SEP000000003002"), "nothing of the proxy's state");

                page.findElement(By.id("token")).sendKeys("not-the-token");
                page.findElement(By.cssSelector("#sign-in button")).click();
                browser.await(d -> d.findElement(By.id("state")).getText().equals("token refused"), "a wrong token refused");
                assertTrue(page.findElements(By.cssSelector("tbody tr")).isEmpty(), "no row with a wrong token");

                page.findElement(By.id("token")).sendKeys(token);
                page.findElement(By.cssSelector("#sign-in button")).click();
                browser.await(d -> answeredRows(d) == 3, "three answered calls listed");
                Map<String, Map<String, Object>> calls = calls(page);
                assertEquals("lock", calls.get("phone SEP000000003001").get("call"), calls.toString());
                assertEquals("shield", calls.get("phone SEP000000003002").get("call"), calls.toString());
                assertEquals("none", calls.get("trunk pbx").get("call"), calls.toString());
                assertEquals("", calls.get("trunk pbx").get("callText"), "no icon for a call that is not authenticated");
                // each leg's own status: the authenticated call's carrier leg is encrypted, its phone leg is not
                assertEquals("lock", calls.get("phone SEP000000003002").get("legA"), calls.toString());
                assertEquals("shield", calls.get("phone SEP000000003002").get("legB"), calls.toString());

                Object agents = browser.script("return Array.from(document.querySelectorAll('#registrations td.user-agent'))"
                        + ".map(td => td.textContent)");
                assertTrue(((List<?>) agents).contains(HOSTILE_AGENT), "shown as text, as sent: " + agents);
                assertTrue(page.findElements(By.tagName("img")).isEmpty(), "the User-Agent became an element");
                assertFalse(page.getTitle().contains("owned"), "the User-Agent's script ran");
                browser.await(d -> d.findElement(By.id("events")).getText().contains("admin-auth-failure"),
                        "the refused tokenless and wrong-token reads among the recent security events");
                assertTrue(page.findElement(By.id("events")).getText().contains("user=\"" + HOSTILE_USER + "\""),
                        "the attacker's user name shown as text: " + page.findElement(By.id("events")).getText());
                assertTrue(page.findElements(By.tagName("img")).isEmpty(), "a security line became an element");
                assertFalse(page.getTitle().contains("owned"), "a security line's script ran");
                assertFalse(page.findElement(By.id("events")).getText().contains("not-the-token"), "a presented token is never shown");

                // the page refreshes by itself: the shield call ends and leaves the list without a reload
                carrier.send(request(carrier, "3002", "BYE", authenticatedCall, 2, shieldTag, null, proxy.tlsPort));
                String bye = awaitRequest(authenticatedPhone, "BYE");
                authenticatedPhone.send(answer(bye, 200, "phone-tag", false, false, null));
                assertTrue(carrier.receiveFinal().startsWith("SIP/2.0 200 "));
                browser.await(d -> answeredRows(d) == 2 && !calls(d).containsKey("phone SEP000000003002"), "the ended call gone");

                page.findElement(By.id("sign-out")).click();
                browser.await(d -> d.findElement(By.id("sign-in")).isDisplayed(), "signed out");
                assertTrue(page.findElements(By.cssSelector("tbody tr")).isEmpty(), "no row once signed out");
            }
        }
    }

    /** Sets up one call from the carrier to a registered phone over TLS; the carrier offers SRTP. Returns the To tag. */
    private static String call(TlsSipPeer carrier, TlsSipPeer phone, String number, String callId, boolean phoneSrtp,
            int port) throws Exception {
        carrier.send(request(carrier, number, "INVITE", callId, 1, null, sdp(carrier.localIp(), true), port));
        String atPhone = awaitRequest(phone, "INVITE");
        assertEquals(phoneSrtp, atPhone.contains("a=crypto:"), atPhone);
        phone.send(answer(atPhone, 200, "phone-tag", true, phoneSrtp, phone));
        String ok = carrier.receiveFinal();
        assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
        String toTag = header(ok, "To").replaceAll(".*;tag=([^;]+).*", "$1");
        carrier.send(request(carrier, number, "ACK", callId, 1, toTag, null, port));
        String update = awaitRequest(phone, "UPDATE"); // the call's security status, told to the phone
        phone.send(answer(update, 200, "phone-tag", false, false, null));
        return toTag;
    }

    private static long answeredRows(WebDriver page) {
        return calls(page).values().stream().filter(call -> "CONFIRMED".equals(call.get("state"))).count();
    }

    /**
     * The calls table by callee, read in one script: the page replaces its rows at every refresh,
     * so element by element reads could straddle two refreshes.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> calls(WebDriver page) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ((JavascriptExecutor) page).executeScript("""
                const icon = (td) => td.querySelector('.icon') ? td.querySelector('.icon').dataset.icon : null;
                return Array.from(document.querySelectorAll('#calls tbody tr')).filter(r => r.cells.length === 8)
                    .map(r => ({callee: r.cells[2].textContent, state: r.cells[3].textContent, legA: icon(r.cells[5]),
                        legB: icon(r.cells[6]), call: icon(r.cells[7]), callText: r.cells[7].textContent}));
                """);
        Map<String, Map<String, Object>> byCallee = new java.util.TreeMap<>();
        rows.forEach(row -> byCallee.put((String) row.get("callee"), row));
        return byCallee;
    }

    /** The base64 SHA-256 of the https certificate's public key: Chromium trusts that one certificate only. */
    private static String spki(Path certificate) throws Exception {
        X509Certificate x509;
        try (var in = Files.newInputStream(certificate)) {
            x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(x509.getPublicKey().getEncoded()));
    }

    /** Headless Debian Chromium through Debian's chromedriver, on a fresh profile, with no network beyond loopback. */
    static final class Browser implements AutoCloseable {
        final WebDriver driver;

        Browser(Path profile, String trustedSpki) {
            for (String tool : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
                if (!Files.isExecutable(Path.of(tool))) {
                    throw new IllegalStateException(tool + " is missing: apt-get install chromium chromium-driver");
                }
            }
            ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless",
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile, "--ignore-certificate-errors-spki-list=" + trustedSpki);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
            driver = new ChromeDriver(service, options);
        }

        /** Polls the page (bounded: 30 s) until the condition holds. */
        void await(Function<WebDriver, Boolean> condition, String what) {
            new WebDriverWait(driver, Duration.ofSeconds(30)).withMessage(what)
                    .ignoring(StaleElementReferenceException.class).until(condition::apply);
        }

        Object script(String javascript) {
            return ((JavascriptExecutor) driver).executeScript(javascript);
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
