package org.sipshield.proxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;

/**
 * The management listener applies the HTTPS interface's cipher string (tls.cipherManagement.httpsTls),
 * not the SIP one: a client offering only a suite outside it gets no handshake, a client offering
 * the configured one gets in over it.
 */
class ManagementTlsPolicyTest {
    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static Curl curl;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().management().yaml("""
                tls:
                  cipherManagement:
                    httpsTls: "ECDHE-RSA-AES128-GCM-SHA256"
                """).start(dataDirectory);
        curl = new Curl(dataDirectory, proxy.managementPort);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aSuiteOutsideHttpsTlsGetsNoHandshake() {
        Curl.Answer refused = curl.request("GET", "/health/live", null, null, "--tls-max", "1.2",
                "--ciphers", "ECDHE-RSA-AES256-GCM-SHA384");
        assertNotEquals(0, refused.curlExit(), refused.output());
        Curl.Answer tls13 = curl.request("GET", "/health/live", null, null, "--tlsv1.3");
        assertNotEquals(0, tls13.curlExit(), "httpsTls names no TLS 1.3 suite: TLS 1.3 is off there\n" + tls13.output());
    }

    @Test
    void theConfiguredSuiteIsTheOneNegotiated() {
        Curl.Answer live = curl.request("GET", "/health/live", null, null, "-v");
        assertEquals(200, live.status(), live.output());
        assertTrue(live.output().contains("TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256"), live.output());
    }
}
