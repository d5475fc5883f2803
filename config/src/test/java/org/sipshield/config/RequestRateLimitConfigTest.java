package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The request rate limit keys of the security section: defaults, values, and refusals. */
class RequestRateLimitConfigTest {
    private static final String BASE = """
            server: {dataDirectory: data}
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
            """;

    @Test
    void aConfigWithoutTheKeysGetsTheDefaults() throws Exception {
        SecuritySettings security = ConfigLoader.parse(BASE, "t.yaml").security();
        assertEquals(100, security.requestsPerSecondPerSource());
        assertEquals(400, security.requestBurstPerSource());
        assertEquals(SecuritySettings.FloodAction.DROP, security.overRequestLimit());
        assertEquals(65536, security.rateLimitedSourcesTracked());
    }

    @Test
    void theKeysAreRead() throws Exception {
        SecuritySettings security = ConfigLoader.parse(BASE + """
                security:
                  requestsPerSecondPerSource: 20
                  requestBurstPerSource: 40
                  overRequestLimit: REJECT_503
                  rateLimitedSourcesTracked: 1000
                """, "t.yaml").security();
        assertEquals(20, security.requestsPerSecondPerSource());
        assertEquals(40, security.requestBurstPerSource());
        assertEquals(SecuritySettings.FloodAction.REJECT_503, security.overRequestLimit());
        assertEquals(1000, security.rateLimitedSourcesTracked());
    }

    @Test
    void aZeroRateAndAnUnknownActionAreBothListed() {
        ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.parse(BASE + """
                security:
                  requestsPerSecondPerSource: 0
                  overRequestLimit: IGNORE
                """, "t.yaml"));
        assertEquals(2, error.problems().size(), error.getMessage());
        assertTrue(error.getMessage().contains("security.requestsPerSecondPerSource"), error.getMessage());
        assertTrue(error.getMessage().contains("security.overRequestLimit"), error.getMessage());
    }
}
