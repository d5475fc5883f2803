package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * An attacker floods the UDP listener with small, well-formed requests faster than the proxy
 * handles them, against the packaged proxy in a 128 MB heap. jain-sip queues what it has read but
 * not yet handled; each queued datagram used to hold a 64 KB buffer, so some two thousand of them
 * filled the heap, the listener's reading thread died of OutOfMemoryError and nobody was answered
 * over UDP again. Now the proxy comes through the flood and answers the next phone.
 */
class UdpFloodMemoryIT {
    private static final int FLOOD_DATAGRAMS = 200_000;

    @TempDir
    Path workingDirectory;

    @Test
    void aFloodOfSmallDatagramsNeitherExhaustsTheHeapNorSilencesTheListener() throws Exception {
        int port = FreePorts.udpAndTcp();
        Path file = workingDirectory.resolve("sipshield.yaml");
        Files.writeString(file, """
                server: {dataDirectory: data, hostName: 127.0.0.1}
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: %d}
                """.formatted(port));
        try (PackagedProxy proxy = new PackagedProxy(List.of("-Xmx128m"), workingDirectory, "--config", file.toString())) {
            flood(port);
            ProcessOutput after = Sipp.client("options.xml", "udp", "127.0.0.1", port);
            assertEquals(0, after.exitCode(), "no answer after the flood:\n" + after.output() + "\n" + tail(proxy.log()));
            assertFalse(proxy.log().contains("OutOfMemoryError"), tail(proxy.log()));
            // how much of the flood the proxy shed (none when this machine kept up): for the reader of the test log
            proxy.log().lines().filter(line -> line.contains("overloaded")).forEach(System.out::println);
        }
    }

    /** Sends as fast as the loopback takes them, from another address than the phone's; answers are never read. */
    private static void flood(int port) throws Exception {
        try (DatagramChannel attacker = DatagramChannel.open()) {
            attacker.bind(new InetSocketAddress("127.0.0.2", 0));
            int attackerPort = ((InetSocketAddress) attacker.getLocalAddress()).getPort();
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            for (int i = 0; i < FLOOD_DATAGRAMS; i++) {
                String request = "OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.2:" + attackerPort + ";branch=z9hG4bKflood" + i + "\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:flood@127.0.0.2>;tag=f" + i + "\r\nTo: <sip:127.0.0.1>\r\n"
                        + "Call-ID: flood-" + i + "@127.0.0.2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
                attacker.send(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), target);
            }
        }
    }

    private static String tail(String log) {
        return log.length() <= 6000 ? log : log.substring(log.length() - 6000);
    }
}
