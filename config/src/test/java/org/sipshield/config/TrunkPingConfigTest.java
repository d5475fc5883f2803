package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** optionsPingIntervalSeconds: 60 by default, sipTrunkDefaults for every trunk, a trunk's own above both; bad values all listed. */
class TrunkPingConfigTest {
    private static final String BASE = """
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
            sipTrunkSecurityProfiles:
              - {name: plain, incomingPort: 5060}
            """;

    @Test
    void everyTrunkIsPingedEveryMinuteUnlessToldOtherwise() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE + """
                sipTrunks:
                  - {name: carrier, securityProfile: plain, destinations: ["192.0.2.1:5060"]}
                """, "t.yaml");
        assertEquals(60, config.trunk("carrier").orElseThrow().optionsPingIntervalSeconds());
    }

    @Test
    void aTrunksOwnIntervalWinsOverTheDefaultsSection() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE + """
                sipTrunkDefaults: {optionsPingIntervalSeconds: 0}
                sipTrunks:
                  - {name: carrier, securityProfile: plain, destinations: ["192.0.2.1:5060"], optionsPingIntervalSeconds: 15}
                  - {name: pbx, securityProfile: plain, destinations: ["192.0.2.2:5060"]}
                """, "t.yaml");
        assertEquals(15, config.trunk("carrier").orElseThrow().optionsPingIntervalSeconds());
        assertEquals(0, config.trunk("pbx").orElseThrow().optionsPingIntervalSeconds(), "0: not pinged");
    }

    @Test
    void badIntervalsAreAllListed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(BASE + """
                sipTrunkDefaults: {optionsPingIntervalSeconds: often, pingTimeout: 3}
                sipTrunks:
                  - {name: carrier, securityProfile: plain, destinations: ["192.0.2.1:5060"], optionsPingIntervalSeconds: -1}
                """, "t.yaml"));
        String problems = e.problems().toString();
        assertTrue(problems.contains("sipTrunkDefaults.optionsPingIntervalSeconds") && problems.contains("'often'"), problems);
        assertTrue(problems.contains("sipTrunkDefaults.pingTimeout"), "an unknown key: " + problems);
        assertTrue(problems.contains("sipTrunks[0].optionsPingIntervalSeconds") && problems.contains("-1 is out of range"), problems);
    }
}
