package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;

/**
 * Every case of the hostile-input corpus against a real proxy, over UDP and over TCP: the answer
 * is the one the manifest expects (a 4xx/5xx naming the problem, or silence for what is not a
 * request that can be answered), and right after it a normal OPTIONS still gets 200.
 */
class MalformedSipCorpusTest {
    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    private static final AtomicInteger IDS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        proxy = new RunningProxy(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @TestFactory
    Stream<DynamicTest> corpusOverUdp() throws IOException {
        return HostileCase.load("").stream().filter(c -> c.udp() != null)
                .map(c -> DynamicTest.dynamicTest(c.name() + " over UDP", () -> overUdp(c)));
    }

    @TestFactory
    Stream<DynamicTest> corpusOverTcp() throws IOException {
        return HostileCase.load("").stream().filter(c -> c.tcp() != null)
                .map(c -> DynamicTest.dynamicTest(c.name() + " over TCP", () -> overTcp(c)));
    }

    private static void overUdp(HostileCase hostile) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket socket = new DatagramSocket(0, loopback)) {
            String id = "hostile-" + IDS.incrementAndGet() + "-" + hostile.name();
            byte[] bytes = hostile.render("UDP", "127.0.0.1", socket.getLocalPort(), proxy.sipPort, id);
            String checkId = "check-" + id;
            byte[] check = HostileExchange.options("UDP", loopback, socket.getLocalPort(), proxy.sipPort, "probe", checkId);
            String answer = HostileExchange.overUdp(proxy.sipPort, socket, bytes, socket, check, checkId, hostile);
            assertTrue(hostile.udp().matches(answer), hostile + " over UDP: expected " + hostile.udp() + ", got "
                    + (answer == null ? "no answer" : answer) + " (" + hostile.why() + ")");
        }
    }

    private static void overTcp(HostileCase hostile) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        String answer;
        try (Socket socket = HostileExchange.connect(loopback, proxy.sipPort)) {
            String id = "hostile-" + IDS.incrementAndGet() + "-" + hostile.name();
            answer = HostileExchange.overTcp(socket, hostile.render("TCP", "127.0.0.1", socket.getLocalPort(), proxy.sipPort, id),
                    hostile.tcp().isDrop());
        }
        assertTrue(hostile.tcp().matches(answer), hostile + " over TCP: expected " + hostile.tcp() + ", got "
                + (answer == null ? "no answer" : answer) + " (" + hostile.why() + ")");
        try (Socket socket = HostileExchange.connect(loopback, proxy.sipPort)) {
            String check = HostileExchange.overTcp(socket, HostileExchange.options("TCP", loopback, socket.getLocalPort(),
                    proxy.sipPort, "probe", "check-tcp-" + IDS.incrementAndGet()), false);
            assertTrue(check != null && check.startsWith("SIP/2.0 200 "), hostile + ": the OPTIONS after it over a new TCP connection got " + check);
        }
    }
}
