package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Session timers, maximum call duration and admission limits: read, defaulted, and every bad value listed. */
class CallLimitsConfigTest {
    private static final String BASE = """
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
            sipTrunkSecurityProfiles:
              - {name: plain, incomingPort: 5060}
            phoneSecurityProfiles:
              - name: phones
            """;

    @Test
    void aConfigurationWithoutTheKeysLimitsNothingAndKeepsASaneSessionTimer() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE + """
                sipTrunks:
                  - {name: carrier, securityProfile: plain, destinations: ["192.0.2.1:5060"]}
                """, "t.yaml");
        assertEquals(CallLimits.NONE, config.trunk("carrier").orElseThrow().limits());
        assertEquals(CallLimits.NONE, config.phoneProfile("phones").orElseThrow().limits());
        assertEquals(new SessionTimerSettings(true, 1800, 90), config.sessionTimers());
        assertTrue(config.warnings().isEmpty(), config.warnings().toString());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        SipShieldConfig config = ConfigLoader.parse("""
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: 5060}
                sessionTimers: {sessionExpires: 600, minSE: 120}
                sipTrunkSecurityProfiles:
                  - {name: plain, incomingPort: 5060}
                phoneSecurityProfiles:
                  - {name: phones, maxCallDuration: 7200, maxConcurrentCallsIn: 2, maxConcurrentCallsOut: 3,
                     callsPerSecond: 1, callBurst: 4}
                sipTrunks:
                  - name: carrier
                    securityProfile: plain
                    destinations: ["192.0.2.1:5060"]
                    maxCallDuration: 14400
                    maxConcurrentCallsIn: 100
                    maxConcurrentCallsOut: 50
                    callsPerSecond: 10
                    trustedAddresses: ["192.0.2.1", "2001:db8::1"]
                """, "t.yaml");
        assertEquals(new CallLimits(14400, 100, 50, 10, 10, List.of("192.0.2.1", "2001:db8::1")),
                config.trunk("carrier").orElseThrow().limits());
        assertEquals(new CallLimits(7200, 2, 3, 1, 4, List.of()), config.phoneProfile("phones").orElseThrow().limits());
        assertEquals(new SessionTimerSettings(true, 600, 120), config.sessionTimers());
    }

    @Test
    void aMinSeBelowTheRfcMinimumLoadsWithAWarning() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE + "sessionTimers: {sessionExpires: 6, minSE: 3}\n", "t.yaml");
        assertEquals(3, config.sessionTimers().minSE());
        assertTrue(config.warnings().stream().anyMatch(w -> w.contains("sessionTimers.minSE") && w.contains("90")),
                config.warnings().toString());
    }

    @Test
    void badValuesAreAllListed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(BASE.replace(
                "  - name: phones\n", "  - {name: phones, callBurst: 5, trustedAddresses: [\"192.0.2.9\"]}\n") + """
                sessionTimers: {sessionExpires: 60, minSE: 90, refresher: us}
                sipTrunks:
                  - name: carrier
                    securityProfile: plain
                    destinations: ["192.0.2.1:5060"]
                    maxConcurrentCallsIn: -1
                    callsPerSecond: 5
                    callBurst: 0
                    trustedAddresses: ["carrier.example", "0.0.0.0"]
                """, "t.yaml"));
        String text = e.getMessage();
        for (String expected : new String[] {"sessionTimers.sessionExpires", "sessionTimers.refresher",
                "phoneSecurityProfiles[0].callBurst", "phoneSecurityProfiles[0].trustedAddresses",
                "sipTrunks[0].maxConcurrentCallsIn", "sipTrunks[0].callBurst", "'carrier.example' is not an IP address",
                "'0.0.0.0' is not an IP address"}) {
            assertTrue(text.contains(expected), expected + " in " + text);
        }
    }
}
