package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The management section, server.shutdownDrainSeconds and server.logFormat: defaults, values, and every problem listed. */
class ManagementConfigTest {
    private static final String BASE = """
            server: {dataDirectory: data}
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
              - {transport: TLS, address: 0.0.0.0, port: 5061}
            """;

    @Test
    void aFileWithoutTheSectionOpensNoManagementPort() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE, "t.yaml");
        assertFalse(config.management().enabled());
        assertEquals(30, config.server().shutdownDrainSeconds());
        assertEquals(LogFormat.TEXT, config.server().logFormat());
    }

    @Test
    void theShippedFileTurnsItOnOnLoopback() throws Exception {
        ManagementSettings management = ConfigLoader.loadDefault().management();
        assertEquals(new ManagementSettings(true, "127.0.0.1", 9443), management);
    }

    @Test
    void anEmptySectionMeansOnWithTheDefaults() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE + "management: {}\n", "t.yaml");
        assertEquals(new ManagementSettings(true, "127.0.0.1", 9443), config.management());
    }

    @Test
    void theKeysAreRead() throws Exception {
        SipShieldConfig config = ConfigLoader.parse("""
                server: {dataDirectory: data, shutdownDrainSeconds: 5, callRecordDays: 7, logFormat: json}
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: 5060}
                management: {enabled: true, address: 127.0.0.2, port: 8443}
                """, "t.yaml");
        assertEquals(new ManagementSettings(true, "127.0.0.2", 8443), config.management());
        assertEquals(5, config.server().shutdownDrainSeconds());
        assertEquals(7, config.server().callRecordDays());
        assertEquals(LogFormat.JSON, config.server().logFormat());
    }

    @Test
    void everyProblemIsListed() {
        ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                server: {dataDirectory: data, shutdownDrainSeconds: -1, callRecordDays: 0, logFormat: XML}
                listeners:
                  - {transport: TLS, address: 0.0.0.0, port: 5061}
                media: {address: 127.0.0.1}
                management: {address: admin.example, port: 5061, colour: red}
                """, "t.yaml"));
        String text = error.getMessage();
        assertEquals(6, error.problems().size(), text);
        assertTrue(text.contains("server.logFormat: 'XML' is not known"), text);
        assertTrue(text.contains("TEXT, JSON"), text);
        assertTrue(text.contains("server.shutdownDrainSeconds"), text);
        assertTrue(text.contains("server.callRecordDays"), text);
        assertTrue(text.contains("management.address"), text);
        assertTrue(text.contains("management.port: 5061 is the port of the SIP listener"), text);
        assertTrue(text.contains("management.colour"), text);
    }
}
