package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * Operating the packaged proxy: credentials made by {@code users set-digest}, a reload on SIGHUP
 * that refuses a bad file whole (listing every problem, keeping the running configuration and
 * serving on), accepts a good one, and refuses one that moves a listener, naming it.
 */
class ConfigReloadIT {
    @TempDir
    Path workingDirectory;

    @Test
    void sighupRefusesABadFileKeepsServingAndAcceptsAGoodOne() throws Exception {
        int port = FreePorts.udpAndTcp();
        int tlsPort = FreePorts.udpAndTcp();
        ProcessOutput digest = ProcessOutput.run(List.of("sh", "-c", "printf 'alice-secret' | java -jar "
                + PackagedProxy.jar() + " users set-digest --user alice --password-stdin"), workingDirectory, 60);
        assertEquals(0, digest.exitCode(), digest.output());
        assertFalse(digest.output().contains("alice-secret"), digest.output());
        String credentials = digest.output().lines().filter(l -> l.startsWith("  ")).map(l -> "      " + l.strip())
                .reduce("", (a, b) -> a + b + "\n");

        String base = """
                server: {dataDirectory: data, hostName: 127.0.0.1}
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: %d}
                  - {transport: TCP, address: 127.0.0.1, port: %d}
                  - {transport: TLS, address: 127.0.0.1, port: %d}
                """.formatted(port, port, tlsPort);
        Path file = workingDirectory.resolve("sipshield.yaml");
        Files.writeString(file, base);
        try (PackagedProxy proxy = new PackagedProxy(workingDirectory, "--config", file.toString())) {
            Files.writeString(file, base + """
                    phoneSecurityProfiles:
                      - {name: p, enableDigestAuthentication: true, nonceValidityTime: 5}
                    phones:
                      - {deviceName: SEP1, securityProfile: missing, lines: ["x1"]}
                    """);
            proxy.signal("HUP");
            proxy.awaitLog("refused, the running configuration stays: 4 problem(s)", 20);
            // each problem is its own log line, and the log is read as it comes: wait for each
            proxy.awaitLog("phoneSecurityProfiles[0].nonceValidityTime: 5 is out of range", 20);
            proxy.awaitLog("phones[0].securityProfile: no phone security profile is named 'missing'", 20);
            ProcessOutput stillServing = Sipp.client("options.xml", "udp", "127.0.0.1", port);
            assertEquals(0, stillServing.exitCode(), stillServing.output());

            Files.writeString(file, base
                    + "phoneSecurityProfiles:\n  - {name: p, enableDigestAuthentication: true}\n"
                    + "endUsers:\n  - userId: alice\n    digestCredentials:\n" + credentials
                    + "phones:\n  - {deviceName: SEP1, securityProfile: p, digestUser: alice, lines: [\"2001\"]}\n");
            proxy.signal("HUP");
            proxy.awaitLog("configuration reloaded: 0 trunks, 1 phones", 20);
            ProcessOutput register = Sipp.client("register.xml", java.util.Map.of("dn", "2001", "user", "alice",
                    "password", "alice-secret", "contact", "sip:2001@127.0.0.1:5999", "expect", "200"),
                    "udp", "127.0.0.1", "127.0.0.1", port);
            assertEquals(0, register.exitCode(), register.output() + "\n" + proxy.log());
            assertFalse(proxy.log().contains("alice-secret"), "a password reached the log");

            // the TLS listener moved in the file: refused naming the key, the running listener serves on
            int movedPort = FreePorts.udpAndTcp();
            Files.writeString(file, Files.readString(file).replace("port: " + tlsPort + "}", "port: " + movedPort + "}"));
            proxy.signal("HUP");
            proxy.awaitLog("refused, the running configuration stays: 1 problem(s)", 20);
            proxy.awaitLog("TLS 127.0.0.1:" + movedPort + "] changes only with a restart", 20);
            String tls = OpenSslClient.exchange("127.0.0.1", tlsPort, OpenSslClient.optionsRequest("127.0.0.1", tlsPort));
            assertTrue(tls.contains("SIP/2.0 200"), tls);
        }
    }
}
