package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * A trunk's trustedAddresses are never throttled by the per-source flood limiter: the same burst of
 * OPTIONS (sipp, 100 at 500 a second) is answered in full from the trusted carrier (127.0.0.2) and
 * limited (503) from another trunk's address (127.0.0.9) that is not trusted.
 */
class TrustedAddressFloodTest {
    static final String TRUSTED = "127.0.0.2";
    static final String UNTRUSTED = "127.0.0.9";

    @TempDir
    Path dataDirectory;

    @Test
    void aTrustedAddressIsNeverRateLimitedWhileAnUntrustedOneIs() throws Exception {
        try (SecurityLog log = new SecurityLog();
                RunningProxy proxy = new RunningProxy(dataDirectory, """
                        security:
                          requestsPerSecondPerSource: 5
                          requestBurstPerSource: 10
                          overRequestLimit: REJECT_503
                        sipTrunkSecurityProfiles:
                          - {name: plain, incomingTransportType: TCP+UDP, outgoingTransportType: UDP, incomingPort: ${sipPort}}
                        sipTrunks:
                          - {name: carrier, securityProfile: plain, destinations: ["%s:5060"], trustedAddresses: ["%s"]}
                          - {name: other, securityProfile: plain, destinations: ["%s:5060"]}
                        """.formatted(TRUSTED, TRUSTED, UNTRUSTED))) {
            ProcessOutput trusted = Sipp.client("options.xml", Map.of(), "udp", TRUSTED, "127.0.0.1", proxy.sipPort,
                    "-m", "100", "-r", "500", "-l", "100");
            assertEquals(100, FloodProtectionTest.successfulCalls(trusted), trusted.output());
            ProcessOutput untrusted = Sipp.client("options.xml", Map.of(), "udp", UNTRUSTED, "127.0.0.1", proxy.sipPort,
                    "-m", "100", "-r", "500", "-l", "100");
            int answered = FloodProtectionTest.successfulCalls(untrusted);
            assertTrue(answered >= 10 && answered < 100, answered + "\n" + untrusted.output());
            assertEquals(List.of(), log.lines("request-rate-limited src=" + TRUSTED));
            assertEquals(1, log.lines("request-rate-limited src=" + UNTRUSTED).size());
        }
    }
}
