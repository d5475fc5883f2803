package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * The packaged proxy stopped as systemd stops it (SIGTERM) with a call up: the token printed at the
 * first start opens the management API, readiness goes false, a new INVITE gets 503, the call gets
 * BYE with a Reason on both legs when server.shutdownDrainSeconds is over, and the process ends.
 */
class DrainOnSigtermIT {
    @TempDir
    Path workingDirectory;

    @Test
    void sigtermDrainsThenStops() throws Exception {
        int port = FreePorts.udpAndTcp();
        int tlsPort = FreePorts.udpAndTcp();
        int managementPort = FreePorts.udpAndTcp();
        int pbxPort = FreePorts.udpAndTcp();
        Path file = workingDirectory.resolve("sipshield.yaml");
        Files.writeString(file, """
                server: {dataDirectory: data, hostName: 127.0.0.1, shutdownDrainSeconds: 6}
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: %d}
                  - {transport: TLS, address: 127.0.0.1, port: %d}
                management: {port: %d}
                """.formatted(port, tlsPort, managementPort)
                + new ProxyFixture().carrierAndPbx("127.0.0.2", 5060, "127.0.0.3", pbxPort).extraYaml()
                        .replace("${sipPort}", "" + port));
        try (PackagedProxy proxy = new PackagedProxy(workingDirectory, "--config", file.toString());
                Sipp.Server pbx = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.3", pbxPort);
                Sipp.Server call = Sipp.startClient("uac-call-await-bye.xml", Map.of("caller", "5550101", "called", "8001"),
                        "udp", "127.0.0.2", "127.0.0.1", port)) {
            Matcher printed = Pattern.compile("management API token \\(shown once, store it now\\): (\\S+)").matcher(proxy.log());
            assertTrue(printed.find(), proxy.log());
            ProcessOutput ready = curl(workingDirectory, managementPort, printed.group(1), "/health/ready");
            assertEquals("ready\n200", ready.output(), ready.output());
            proxy.awaitLog("answered", 30);

            proxy.signal("TERM");
            proxy.awaitLog("draining (by SIGTERM)", 20);
            ProcessOutput refused = Sipp.client("uac-request.xml", Map.of("method", "INVITE", "caller", "5550103",
                    "called", "8003", "expect", "503"), "udp", "127.0.0.2", "127.0.0.1", port);
            assertEquals(0, refused.exitCode(), refused.output() + "\n" + proxy.log());
            assertTrue(refused.output().contains("Retry-After: 6"), refused.output());

            ProcessOutput legA = call.finish();
            ProcessOutput legB = pbx.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\n" + proxy.log());
            assertEquals(0, legB.exitCode(), legB.output());
            assertTrue(legA.output().contains("Reason: SIP;cause=503"), legA.output());
            assertTrue(legB.output().contains("Reason: SIP;cause=503"), legB.output());
            assertTrue(proxy.awaitExit(60), "the proxy stops once the drain is over:\n" + proxy.log());
            assertTrue(proxy.log().contains("drain time over: 1 call(s) ended with BYE on both legs"), proxy.log());
        }
    }

    private static ProcessOutput curl(Path workingDirectory, int port, String token, String path) throws Exception {
        Path header = workingDirectory.resolve("auth-header");
        Files.writeString(header, "Authorization: Bearer " + token + "\n");
        return ProcessOutput.run(List.of("curl", "-sS", "--cacert", "data/certs/https.crt.pem", "-H", "@" + header,
                "-w", "%{http_code}", "https://127.0.0.1:" + port + path), workingDirectory, 60);
    }
}
