package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.ProxyFixture;

/**
 * Under unknownSource DROP the rate limit's 503 is screening's answer too: a stranger over its
 * limit hears nothing (a 503 would tell a scanner the proxy is there), while a trunk over its
 * limit is still told to back off.
 */
class RateLimitUnderDropTest {
    private static final int REQUESTS = 10;

    @TempDir
    Path dataDirectory;

    @Test
    void overTheLimitAStrangerHearsNothingAndATrunkGets503() throws Exception {
        InetAddress carrier = InetAddress.getByName("127.0.0.2");
        InetAddress pbx = InetAddress.getByName("127.0.0.3");
        InetAddress stranger = InetAddress.getByName("127.0.0.4");
        ProxyFixture fixture = new ProxyFixture().yaml("""
                security:
                  unknownSource: DROP
                  requestsPerSecondPerSource: 1
                  requestBurstPerSource: 1
                  overRequestLimit: REJECT_503
                """).carrierAndPbx("127.0.0.2", 5060, "127.0.0.3", 5060);
        try (RunningProxy proxy = fixture.start(dataDirectory);
                DatagramSocket strangerSocket = new DatagramSocket(0, stranger);
                DatagramSocket pbxSocket = new DatagramSocket(0, pbx);
                DatagramSocket carrierSocket = new DatagramSocket(0, carrier)) {
            // one request a second, and ten sent at once: at most a few are admitted, the rest are over the limit
            for (int i = 1; i < REQUESTS; i++) {
                send(strangerSocket, options(strangerSocket, proxy.sipPort, "stranger-" + i), proxy.sipPort);
            }
            byte[] check = options(pbxSocket, proxy.sipPort, "check-pbx");
            assertNull(HostileExchange.overUdp(proxy.sipPort, strangerSocket, options(strangerSocket, proxy.sipPort, "stranger-last"),
                    pbxSocket, check, "check-pbx", "a flood of OPTIONS from a stranger"), "a stranger over its limit under DROP");

            for (int i = 0; i < REQUESTS; i++) {
                send(carrierSocket, options(carrierSocket, proxy.sipPort, "carrier-" + i), proxy.sipPort);
            }
            assertTrue(receivedServiceUnavailable(carrierSocket), "the trunk over its limit got no 503");
        }
    }

    private static boolean receivedServiceUnavailable(DatagramSocket socket) throws IOException {
        socket.setSoTimeout(5000);
        byte[] buffer = new byte[65535];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return false;
            }
            String message = new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1);
            if (message.startsWith("SIP/2.0 503 ") && message.contains("\r\nRetry-After: ")) {
                return true;
            }
        }
    }

    private static byte[] options(DatagramSocket socket, int proxyPort, String callId) {
        return HostileExchange.options("UDP", socket.getLocalAddress(), socket.getLocalPort(), proxyPort, "probe", callId);
    }

    private static void send(DatagramSocket socket, byte[] message, int proxyPort) throws IOException {
        socket.send(new DatagramPacket(message, message.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort)));
    }
}
