package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** database.* and server.nodeName: the embedded default, a shared PostgreSQL, and every problem listed. */
class DatabaseConfigTest {
    private static final String BASE = """
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
            """;

    @Test
    void withoutTheSectionTheEmbeddedFileIsUsedAndTheNodeIsNamedAfterTheHost() throws Exception {
        SipShieldConfig config = ConfigLoader.parse("server: {dataDirectory: data}\n" + BASE, "t.yaml");
        assertFalse(config.database().isShared());
        assertNull(config.database().url());
        assertFalse(config.server().nodeName().isBlank());
    }

    @Test
    void aPostgresqlUrlUserPasswordFileAndNodeNameAreRead() throws Exception {
        SipShieldConfig config = ConfigLoader.parse("""
                server: {dataDirectory: data, nodeName: node-a}
                database: {url: "jdbc:postgresql://db.example.net:5432/sipshield", user: sipshield, passwordFile: /etc/sipshield/db.password}
                """ + BASE, "t.yaml");
        assertEquals(new DatabaseSettings("jdbc:postgresql://db.example.net:5432/sipshield", "sipshield",
                Path.of("/etc/sipshield/db.password")), config.database());
        assertTrue(config.database().isShared());
        assertEquals("node-a", config.server().nodeName());
    }

    @Test
    void everyProblemIsListedAndNoPasswordIsAcceptedInTheUrl() {
        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                server: {dataDirectory: data, nodeName: "node a/1"}
                database: {url: "jdbc:postgresql://db/sipshield?user=x&password=hunter2", pool: 9}
                """ + BASE, "t.yaml"));
        List<String> paths = refused.problems().stream().map(ConfigProblem::path).toList();
        assertTrue(paths.contains("server.nodeName"), refused.getMessage());
        assertTrue(paths.contains("database.url"), refused.getMessage());
        assertTrue(paths.contains("database.pool"), refused.getMessage());
        // the refusal is printed by check-config: it must not repeat the password it refuses
        assertFalse(refused.getMessage().contains("hunter2"), refused.getMessage());

        ConfigException notPostgres = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "database: {url: \"jdbc:mysql://db/sipshield\"}\n" + BASE, "t.yaml"));
        assertEquals(List.of("database.url"), notPostgres.problems().stream().map(ConfigProblem::path).toList());
    }
}
