package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void shippedDefaultListensOnLoopbackOnUdpTcpAndTls() throws Exception {
        SipShieldConfig config = ConfigLoader.loadDefault();
        assertEquals(List.of(new Listener(Transport.UDP, "127.0.0.1", 5060),
                new Listener(Transport.TCP, "127.0.0.1", 5060),
                new Listener(Transport.TLS, "127.0.0.1", 5061)), config.listeners());
        assertEquals(Path.of("data"), config.server().dataDirectory());
        assertTrue(!config.server().hostName().isBlank());
    }

    @Test
    void theRepositoryCopyIsTheEmbeddedDefault() throws Exception {
        Path shipped = Path.of(System.getProperty("user.dir"), "sipshield.yaml");
        assertEquals(Files.readString(shipped), ConfigLoader.defaultText());
        ConfigLoader.load(shipped);
    }

    @Test
    void threeDifferentMistakesAreAllListedWithLineAndPath() throws Exception {
        Path file = write("""
                server:
                  dataDirectory: data
                  colour: blue
                listeners:
                  - transport: SCTP
                    address: 127.0.0.1
                  - transport: TCP
                    address: 127.0.0.1
                    port: 70000
                """);
        ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        List<ConfigProblem> problems = error.problems();
        assertEquals(3, problems.size(), error.getMessage());
        assertProblem(problems, 3, "server.colour", "unknown key");
        assertProblem(problems, 5, "listeners[0].transport", "'SCTP' is not known");
        assertProblem(problems, 9, "listeners[1].port", "70000 is out of range");
        assertTrue(problems.get(1).toString().contains("(allowed: UDP, TCP, TLS)"), problems.get(1).toString());
        assertTrue(problems.get(0).toString().startsWith(file + ":3: server.colour: unknown key"),
                problems.get(0).toString());
    }

    @Test
    void duplicateKeysClashingSocketsAndBadAddressesAreRefused() throws Exception {
        Path file = write("""
                listeners:
                  - transport: TCP
                    port: 5060
                    port: 5070
                  - transport: TLS
                    address: 127.0.0.1
                    port: 5060
                  - transport: UDP
                    address: localhost
                """);
        List<ConfigProblem> problems = ConfigLoader.problemsOf(file);
        assertProblem(problems, 4, "listeners[0].port", "duplicate key");
        assertProblem(problems, 9, "listeners[2].address", "'localhost' is not an IP address");
        assertTrue(problems.stream().anyMatch(p -> p.problem().contains("TLS 127.0.0.1:5060 uses the same socket as TCP 127.0.0.1:5060")),
                problems.toString());
    }

    @Test
    void syntaxErrorsAndEmptyFilesAreProblemsNotCrashes() throws Exception {
        List<ConfigProblem> syntax = ConfigLoader.problemsOf(write("listeners:\n  - transport: UDP\n   port: [\n"));
        assertEquals(1, syntax.size(), syntax.toString());
        assertTrue(syntax.get(0).problem().startsWith("YAML syntax"), syntax.toString());
        assertTrue(syntax.get(0).line() > 0, syntax.toString());

        List<ConfigProblem> empty = ConfigLoader.problemsOf(write(""));
        assertEquals("the file is empty", empty.get(0).problem());

        List<ConfigProblem> notAMapping = ConfigLoader.problemsOf(write("- just\n- a list\n"));
        assertTrue(notAMapping.get(0).problem().contains("expected a mapping"), notAMapping.toString());

        List<ConfigProblem> missing = ConfigLoader.problemsOf(dir.resolve("absent.yaml"));
        assertTrue(missing.get(0).problem().startsWith("cannot read the file"), missing.toString());
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'s', 'e', 'r', 'v', 'e', 'r', ':', ' ', (byte) 0xE9, '\n'});
        assertEquals("the file is not valid UTF-8", ConfigLoader.problemsOf(file).get(0).problem());
    }

    private Path write(String text) throws Exception {
        Path file = Files.createTempFile(dir, "sipshield", ".yaml");
        Files.writeString(file, text);
        return file;
    }

    private static void assertProblem(List<ConfigProblem> problems, int line, String path, String start) {
        assertTrue(problems.stream().anyMatch(p -> p.line() == line && p.path().equals(path) && p.problem().startsWith(start)),
                "expected line " + line + " " + path + ": " + start + " in " + problems);
    }
}
