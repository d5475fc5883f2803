package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipshield.testing.TestsslFindings;

/**
 * testssl.sh (Debian's) against a server socket of the factory, once per TLS Ciphers option,
 * once with a sip-tls string and once with minimum TLS 1.0: the protocols offered, the suites
 * offered per protocol and their server-preference order must be exactly the effective
 * settings. About 15 s per run; run alone with {@code mvn -q -pl tls test -Dtest=TestsslTest}.
 */
class TestsslTest {
    private static List<ServerIdentity> identities;

    @TempDir
    Path dir;

    @BeforeAll
    static void identities() throws Exception {
        // An RSA and an EC certificate, as the reference's CallManager and CallManager-ECDSA, so ECDSA suites can be offered.
        identities = List.of(SelfSignedCertificates.generate("sbc.test"),
                SelfSignedCertificates.generate("sbc.test", List.of(), KeySpec.EC_P256, SignatureHash.SHA256,
                        Duration.ofDays(30), Instant.now()));
    }

    static Stream<Arguments> policies() {
        List<Arguments> cases = new ArrayList<>();
        for (TlsCiphersOption option : TlsCiphersOption.values()) {
            cases.add(Arguments.of(option.name(), TlsPolicy.builder().tlsCiphers(option).build()));
        }
        cases.add(Arguments.of("sip-tls string", TlsPolicy.builder()
                .sipTls("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE+AES128+SHA256:AES256-SHA256:NULL-SHA:ADH-AES128-SHA").build()));
        cases.add(Arguments.of("sip-tls string naming one TLS 1.3 suite", TlsPolicy.builder()
                .sipTls("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:TLS_AES_128_GCM_SHA256").build()));
        cases.add(Arguments.of("minimum TLS 1.0", TlsPolicy.of("1.0", null, "all-ciphers-ecdsa-preferred", null, null, null)));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void testsslSeesExactlyTheConfiguredProtocolsSuitesAndOrder(String name, TlsPolicy policy) throws Exception {
        EffectiveTlsSettings settings = policy.effective(CertificatePurpose.SIP, EnumSet.of(TlsProtection.ENCRYPTION));
        TlsSocketFactory factory = TlsSocketFactory.builder(settings)
                .identities(identities)
                .peerVerifier(new PeerIdentityVerifier(new CertificateChainValidator(List::of, java.time.Clock.systemUTC())))
                .build();
        Map<String, String> findings;
        try (TestTlsServer server = new TestTlsServer(factory)) {
            Path json = dir.resolve("testssl.json");
            ExternalProcess.Result result = ExternalProcess.run(List.of("testssl", "--quiet", "--color", "0", "--warnings", "off",
                    "-p", "-P", "-E", "--jsonfile", json.toString(), "127.0.0.1:" + server.port()), null, 180, dir);
            assertTrue(Files.exists(json), result.output());
            findings = TestsslFindings.read(Files.readString(json));
        }

        Map<TlsVersion, String> protocolIds = Map.of(TlsVersion.TLS_1_0, "TLS1", TlsVersion.TLS_1_1, "TLS1_1",
                TlsVersion.TLS_1_2, "TLS1_2", TlsVersion.TLS_1_3, "TLS1_3");
        for (TlsVersion version : TlsVersion.values()) {
            String finding = findings.get(protocolIds.get(version));
            assertEquals(settings.protocols().contains(version), finding.startsWith("offered"), version + ": " + finding);
        }
        assertEquals("not offered", findings.get("SSLv3"));
        assertEquals("server", findings.get("cipher_order"), findings.toString());

        Map<TlsVersion, String> orderIds = Map.of(TlsVersion.TLS_1_0, "cipherorder_TLSv1", TlsVersion.TLS_1_1, "cipherorder_TLSv1_1",
                TlsVersion.TLS_1_2, "cipherorder_TLSv1_2", TlsVersion.TLS_1_3, "cipherorder_TLSv1_3");
        Map<TlsVersion, String> perProtocolPrefix = Map.of(TlsVersion.TLS_1_0, "cipher-tls1_x", TlsVersion.TLS_1_1, "cipher-tls1_1_x",
                TlsVersion.TLS_1_2, "cipher-tls1_2_x", TlsVersion.TLS_1_3, "cipher-tls1_3_x");
        for (TlsVersion version : settings.protocols()) {
            List<String> expected = expectedOrder(settings, version);
            assertEquals(String.join(" ", expected), findings.get(orderIds.get(version)), version + " order");
            Set<String> offered = new TreeSet<>();
            findings.forEach((id, finding) -> {
                if (id.startsWith(perProtocolPrefix.get(version))) {
                    String[] columns = finding.trim().split("\\s+");
                    offered.add(columns[columns.length - 1]);
                }
            });
            Set<String> expectedIana = new TreeSet<>();
            for (int i = 0; i < settings.cipherSuites().size(); i++) {
                if (expected.contains(settings.opensslNames().get(i))) {
                    expectedIana.add(settings.cipherSuites().get(i));
                }
            }
            assertEquals(expectedIana, offered, version + " suites offered");
        }
    }

    /** The effective suites usable in this version, OpenSSL-named as testssl prints them, in server order. */
    private static List<String> expectedOrder(EffectiveTlsSettings settings, TlsVersion version) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < settings.cipherSuites().size(); i++) {
            String iana = settings.cipherSuites().get(i);
            boolean usable = CipherSuiteCatalog.byIanaName(iana).map(suite -> suite.worksWith(version))
                    .orElse(version == TlsVersion.TLS_1_3);
            if (usable) {
                order.add(settings.opensslNames().get(i));
            }
        }
        return order;
    }
}
