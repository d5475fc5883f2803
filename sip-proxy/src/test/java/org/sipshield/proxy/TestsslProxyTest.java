package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.testing.TestsslFindings;

/**
 * testssl.sh against the running proxy's SIP TLS port: the protocols and suites it offers, and
 * their server-preference order, are exactly what the operator configured, for the proxy's RSA
 * identity, TLS 1.3 included when a cipher string restricts it. (The tls module's TestsslTest covers every TLS Ciphers option with RSA and ECDSA
 * identities against the same socket factory.)
 */
class TestsslProxyTest {
    @TempDir
    Path dataDirectory;

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tlsCiphers: strongest-aes256-sha384-rsa-preferred | ECDHE-RSA-AES256-GCM-SHA384 | TLS_AES_256_GCM_SHA384",
        "cipherManagement: {sipTls: 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA'}, tls13: false"
                + " | AES128-SHA ECDHE-RSA-AES128-GCM-SHA256 | ",
        // A cipher string governs TLS 1.3 too: only the TLS 1.3 suite it names, and none when it names none.
        "cipherManagement: {sipTls: 'ECDHE-RSA-AES256-GCM-SHA384:TLS_CHACHA20_POLY1305_SHA256'}"
                + " | ECDHE-RSA-AES256-GCM-SHA384 | TLS_CHACHA20_POLY1305_SHA256",
        "cipherManagement: {allTls: 'ECDHE-RSA-AES256-GCM-SHA384'} | ECDHE-RSA-AES256-GCM-SHA384 | ",
    })
    void theProxyOffersExactlyTheConfiguredSuitesInTheConfiguredOrder(String tls, String tls12Order, String tls13Order)
            throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory, "tls: {" + tls + "}\n")) {
            Path json = work.resolve("testssl.json");
            ProcessOutput run = ProcessOutput.run(List.of("testssl", "--quiet", "--color", "0", "--warnings", "off",
                    "-p", "-P", "--jsonfile", json.toString(), "127.0.0.1:" + proxy.tlsPort), work, 240);
            assertTrue(Files.exists(json), run.output());
            Map<String, String> findings = TestsslFindings.read(Files.readString(json));
            assertEquals("not offered", findings.get("TLS1"), findings.toString());
            assertEquals("not offered", findings.get("TLS1_1"), findings.toString());
            assertTrue(findings.get("TLS1_2").startsWith("offered"), findings.toString());
            assertEquals("server", findings.get("cipher_order"), findings.toString());
            assertEquals(tls12Order.trim(), findings.get("cipherorder_TLSv1_2"), findings.toString());
            if (tls13Order == null || tls13Order.isBlank()) {
                assertTrue(findings.get("TLS1_3").startsWith("not offered"), findings.toString());
            } else {
                assertTrue(findings.get("TLS1_3").startsWith("offered"), findings.toString());
                assertEquals(tls13Order.trim(), findings.get("cipherorder_TLSv1_3"), findings.toString());
            }
        }
    }
}
