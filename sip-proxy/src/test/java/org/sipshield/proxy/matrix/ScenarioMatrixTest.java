package org.sipshield.proxy.matrix;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.SrtpCiphers;
import org.sipshield.config.Transport;
import org.sipshield.proxy.matrix.Scenario.Kind;
import org.sipshield.srtp.CryptoSuite;

/**
 * The scenario matrix: phone transport x device security mode x digest x the SRTP suite of the
 * far end, plus kamailio as a carrier that challenges sipshield, session timers and a transfer, each row run with real peers
 * against one real proxy on 127.0.0.1 and judged from evidence (SIP responses, the SDP each peer
 * saw, the audio each end decoded). {@code ./sipshield test} runs the rows marked for CI;
 * {@code -Dsipshield.matrix=full} (bench/matrix.sh) runs all of them. Either way the table is
 * printed and written to target/scenario-matrix.md.
 */
class ScenarioMatrixTest {
    /** The six SDES suites of srtp's CryptoSuite that both the reference and libsrtp2 know (F8 is ours only). */
    static final List<CryptoSuite> SUITES = List.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80, CryptoSuite.AES_CM_128_HMAC_SHA1_32,
            CryptoSuite.AES_256_CM_HMAC_SHA1_80, CryptoSuite.AES_256_CM_HMAC_SHA1_32, CryptoSuite.AEAD_AES_128_GCM,
            CryptoSuite.AEAD_AES_256_GCM);

    @TempDir
    static Path work;

    /** One proxy per SRTP Ciphers setting, started when its first row runs. */
    private static final java.util.Map<SrtpCiphers, MatrixProxy> PROXIES = new java.util.EnumMap<>(SrtpCiphers.class);
    private static final List<MatrixResult> RESULTS = new ArrayList<>();
    private static final long STARTED = System.nanoTime();

    static boolean full() {
        return "full".equals(System.getProperty("sipshield.matrix"));
    }

    /** Every row of the full matrix, in the order they run; {@link Scenario#ci()} marks the CI subset. */
    static List<Scenario> rows() {
        List<Scenario> rows = new ArrayList<>();
        for (Transport transport : Transport.values()) {
            for (DeviceSecurityMode mode : DeviceSecurityMode.values()) {
                if (Scenario.allowed(transport, mode)) {
                    continue;
                }
                for (boolean digest : new boolean[] {false, true}) {
                    // the cheapest rows of all: every forbidden combination is in CI
                    rows.add(new Scenario(Kind.REFUSED_BY_CONFIG, transport, mode, digest, Optional.empty(), true));
                }
            }
        }
        for (Transport transport : List.of(Transport.UDP, Transport.TCP)) {
            for (boolean digest : new boolean[] {false, true}) {
                rows.add(new Scenario(Kind.REGISTRATION, transport, DeviceSecurityMode.NON_SECURE, digest, Optional.empty(), true));
            }
        }
        for (Transport transport : Transport.values()) {
            for (DeviceSecurityMode mode : DeviceSecurityMode.values()) {
                if (!Scenario.allowed(transport, mode)) {
                    continue;
                }
                for (boolean digest : new boolean[] {false, true}) {
                    List<Optional<CryptoSuite>> suites = new ArrayList<>();
                    SUITES.forEach(s -> suites.add(Optional.of(s)));
                    suites.add(Optional.empty());
                    for (Optional<CryptoSuite> suite : suites) {
                        rows.add(new Scenario(Kind.CALL, transport, mode, digest, suite, inCi(transport, mode, digest, suite)));
                    }
                }
            }
        }
        rows.add(new Scenario(Kind.REFUSED_488, Transport.TLS, DeviceSecurityMode.ENCRYPTED, false, Optional.empty(), true));
        rows.add(new Scenario(Kind.REFUSED_488, Transport.UDP, DeviceSecurityMode.NON_SECURE, true,
                Optional.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80), false));
        rows.add(new Scenario(Kind.REFUSED_488, Transport.TLS, DeviceSecurityMode.AUTHENTICATED, false,
                Optional.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80), false));
        rows.add(new Scenario(Kind.KAMAILIO_CALL, Transport.UDP, DeviceSecurityMode.NON_SECURE, true,
                Optional.of(CryptoSuite.AEAD_AES_128_GCM), true));
        // in CI too (issue 22): the only row where a TLS phone's call meets a trunk that challenges us
        rows.add(new Scenario(Kind.KAMAILIO_CALL, Transport.TLS, DeviceSecurityMode.ENCRYPTED, true,
                Optional.of(CryptoSuite.AES_256_CM_HMAC_SHA1_32), true));
        rows.add(new Scenario(Kind.KAMAILIO_WITHOUT_CREDENTIALS, Transport.TCP, DeviceSecurityMode.NON_SECURE, true,
                Optional.empty(), true));
        // what happens inside a call (signalling only, sipp on both sides)
        rows.add(new Scenario(Kind.SESSION_TIMER, Transport.UDP, DeviceSecurityMode.NON_SECURE, false, Optional.empty(), true));
        rows.add(new Scenario(Kind.TRANSFER, Transport.UDP, DeviceSecurityMode.NON_SECURE, false, Optional.empty(), true));
        // the SRTP Ciphers setting: what the relay offers, and an Encrypted phone whose only suite it refuses
        rows.add(new Scenario(Kind.CALL, Transport.UDP, DeviceSecurityMode.NON_SECURE, false,
                Optional.of(CryptoSuite.AEAD_AES_128_GCM), false, SrtpCiphers.MEDIUM));
        rows.add(new Scenario(Kind.REFUSED_488, Transport.TLS, DeviceSecurityMode.ENCRYPTED, false, Optional.empty(), false,
                SrtpCiphers.MEDIUM));
        rows.add(new Scenario(Kind.CALL, Transport.TLS, DeviceSecurityMode.AUTHENTICATED, true,
                Optional.of(CryptoSuite.AEAD_AES_256_GCM), false, SrtpCiphers.STRONGEST));
        rows.add(new Scenario(Kind.REFUSED_488, Transport.TLS, DeviceSecurityMode.ENCRYPTED, true, Optional.empty(), false,
                SrtpCiphers.STRONGEST));
        // every m= line anchored: audio and video, each SRTP with its own keys per leg
        rows.add(new Scenario(Kind.VIDEO_CALL, Transport.TLS, DeviceSecurityMode.ENCRYPTED, false,
                Optional.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80), true));
        return rows;
    }

    /** CI: every transport and mode, digest on and off, two CM suites and one GCM suite, and RTP. */
    private static boolean inCi(Transport transport, DeviceSecurityMode mode, boolean digest, Optional<CryptoSuite> suite) {
        return switch (transport) {
            case UDP -> !digest && suite.isEmpty();
            case TCP -> digest && suite.equals(Optional.of(CryptoSuite.AES_CM_128_HMAC_SHA1_32));
            case TLS -> mode == DeviceSecurityMode.AUTHENTICATED
                    ? !digest && suite.equals(Optional.of(CryptoSuite.AES_256_CM_HMAC_SHA1_80))
                    : digest && suite.equals(Optional.of(CryptoSuite.AEAD_AES_256_GCM));
        };
    }

    @TestFactory
    Stream<DynamicTest> matrix() {
        boolean full = full();
        // -Dsipshield.matrix.rows=TEXT: only the rows whose name holds it (to work on one row)
        String only = System.getProperty("sipshield.matrix.rows", "");
        return rows().stream().filter(row -> (full || row.ci()) && row.name().contains(only)).map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            long start = System.nanoTime();
            MatrixResult result;
            try {
                result = run(row);
            } catch (Exception | AssertionError e) {
                result = MatrixResult.fail(row, "error: " + e);
            }
            result = result.took((System.nanoTime() - start) / 1e9);
            synchronized (RESULTS) {
                RESULTS.add(result);
            }
            assertTrue(result.passed(), row.name() + ": expected " + row.expected() + "\n" + result.observed() + "\n"
                    + result.evidence());
        }));
    }

    private static MatrixResult run(Scenario row) throws Exception {
        if (row.kind() == Kind.REFUSED_BY_CONFIG) {
            return ConfigRow.run(row);
        }
        return new PeerRows(proxy(row.ciphers()), work).run(row);
    }

    private static synchronized MatrixProxy proxy(SrtpCiphers ciphers) throws Exception {
        MatrixProxy proxy = PROXIES.get(ciphers);
        if (proxy == null) {
            proxy = new MatrixProxy(Files.createDirectories(work.resolve("proxy-" + ciphers)), ciphers);
            PROXIES.put(ciphers, proxy);
        }
        return proxy;
    }

    @AfterAll
    static void report() throws IOException {
        try {
            for (MatrixProxy proxy : PROXIES.values()) {
                proxy.close();
            }
        } finally {
            String table = MatrixResult.table(RESULTS, full() ? "full" : "ci", (System.nanoTime() - STARTED) / 1e9);
            Path file = Path.of(System.getProperty("sipshield.matrix.report", "target/scenario-matrix.md"));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, table);
            System.out.println(table);
        }
    }
}
