package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * The packaged proxy as an operator runs it: {@code java -jar sipshield.jar run} on the embedded
 * default configuration (127.0.0.1, UDP/TCP 5060, TLS 5061), probed by sipp and openssl.
 */
class SipShieldLauncherIT {
    @TempDir
    static Path workingDirectory;

    static PackagedProxy proxy;

    @BeforeAll
    static void startPackagedProxy() throws Exception {
        proxy = new PackagedProxy(workingDirectory);
    }

    @AfterAll
    static void stopPackagedProxy() throws Exception {
        proxy.close();
    }

    static String jar() {
        return PackagedProxy.jar();
    }

    @Test
    void optionsToTheDefaultPortsGets200OverUdpTcpAndTls() {
        for (String transport : new String[] {"udp", "tcp"}) {
            ProcessOutput sipp = Sipp.client("options.xml", transport, "127.0.0.1", 5060);
            assertEquals(0, sipp.exitCode(), transport + ":\n" + sipp.output() + "\nproxy log:\n" + proxy.log());
        }
        String reply = OpenSslClient.exchange("127.0.0.1", 5061, OpenSslClient.optionsRequest("127.0.0.1", 5061));
        assertTrue(reply.contains("SIP/2.0 200 OK"), reply + "\nproxy log:\n" + proxy.log());
    }

    @Test
    void firstStartGeneratedItsCertificateInTheDataDirectory() {
        assertTrue(Files.isRegularFile(workingDirectory.resolve("data/certs/sip.crt.pem")), proxy.log());
        assertTrue(Files.isRegularFile(workingDirectory.resolve("data/certs/sip.key.pem")), proxy.log());
    }

    @Test
    void checkConfigListsEveryMistakeAndExitsNonZero() throws Exception {
        Path file = workingDirectory.resolve("three-mistakes.yaml");
        Files.writeString(file, String.join("\n",
                "server:",
                "  dataDirectory: data",
                "  colour: blue",
                "listeners:",
                "  - transport: SCTP",
                "  - transport: TCP",
                "    port: 70000",
                ""));
        ProcessOutput check = ProcessOutput.run(List.of("java", "-jar", jar(), "check-config", file.toString()),
                workingDirectory, 60);
        assertEquals(1, check.exitCode(), check.output());
        assertTrue(check.output().contains("server.colour: unknown key"), check.output());
        assertTrue(check.output().contains("listeners[0].transport: 'SCTP' is not known"), check.output());
        assertTrue(check.output().contains("listeners[1].port: 70000 is out of range"), check.output());
        assertTrue(check.output().contains("3 problems in "), check.output());

        ProcessOutput good = ProcessOutput.run(List.of("java", "-jar", jar(), "check-config",
                Path.of(System.getProperty("user.dir")).resolve("../config/sipshield.yaml").toString()), workingDirectory, 60);
        assertEquals(0, good.exitCode(), good.output());
    }
}
