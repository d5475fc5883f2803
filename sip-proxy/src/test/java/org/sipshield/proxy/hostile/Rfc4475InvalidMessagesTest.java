package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;

/**
 * RFC 4475 section 3.1.2, every invalid message, sent as an attacker would over UDP and TCP under
 * security.unknownSource DROP: from a trunk's address (whose well-formed requests are challenged)
 * and from a registered phone's address each gets the RFC's answer, before any 401/407/403; from
 * an address nobody knows, silence; and after each one the proxy still serves the known source.
 */
class Rfc4475InvalidMessagesTest {
    private static final String CORPUS = "rfc4475/";
    private static final String LINE = "3001";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static InetAddress trunk;
    static InetAddress phone;
    static InetAddress stranger;
    private static final AtomicInteger IDS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        trunk = InetAddress.getByName("127.0.0.2");
        phone = InetAddress.getByName("127.0.0.3");
        stranger = InetAddress.getByName("127.0.0.4");
        proxy = new RunningProxy(dataDirectory, """
                security:
                  unknownSource: DROP
                sipTrunkSecurityProfiles:
                  - name: Digest Trunk Profile
                    deviceSecurityMode: Non Secure
                    incomingTransportType: TCP+UDP
                    outgoingTransportType: UDP
                    incomingPort: ${sipPort}
                    enableDigestAuthentication: true
                sipTrunks:
                  - {name: carrier, securityProfile: Digest Trunk Profile, destinations: ["127.0.0.2:5060"]}
                phoneSecurityProfiles:
                  - name: Plain Phone Profile
                    deviceSecurityMode: Non Secure
                    transportType: TCP+UDP
                phones:
                  - {deviceName: SEP000000003001, securityProfile: Plain Phone Profile, lines: ["%s"]}
                """.formatted(LINE));
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @TestFactory
    Stream<DynamicTest> fromTheTrunk() throws IOException {
        return cases(c -> Stream.of(
                DynamicTest.dynamicTest(c.name() + " over UDP", () -> udpFromKnown(c, false)),
                DynamicTest.dynamicTest(c.name() + " over TCP", () -> tcpFromKnown(c, false))));
    }

    @TestFactory
    Stream<DynamicTest> fromARegisteredPhone() throws IOException {
        return cases(c -> Stream.of(
                DynamicTest.dynamicTest(c.name() + " over UDP", () -> udpFromKnown(c, true)),
                DynamicTest.dynamicTest(c.name() + " over TCP", () -> tcpFromKnown(c, true))));
    }

    @TestFactory
    Stream<DynamicTest> fromAStrangerNothingComesBack() throws IOException {
        return cases(c -> Stream.of(
                DynamicTest.dynamicTest(c.name() + " over UDP", () -> udpFromStranger(c)),
                DynamicTest.dynamicTest(c.name() + " over TCP", () -> tcpFromStranger(c))));
    }

    /** The control: what the trunk sends well-formed is challenged, so a 400 above came before the challenge. */
    @Test
    void aWellFormedRequestFromTheTrunkIsChallenged() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, trunk)) {
            String id = "control-" + IDS.incrementAndGet();
            byte[] options = HostileExchange.options("UDP", trunk, socket.getLocalPort(), proxy.sipPort, "caller", id);
            String toUser = new String(options, StandardCharsets.ISO_8859_1)
                    .replaceFirst("OPTIONS sip:127\\.0\\.0\\.1:\\d+ ", "OPTIONS sip:user@example.com ");
            assertEquals("SIP/2.0 407", firstAnswer(socket, toUser.getBytes(StandardCharsets.ISO_8859_1)).substring(0, 11));
        }
    }

    private static Stream<DynamicTest> cases(Function<HostileCase, Stream<DynamicTest>> tests) throws IOException {
        return HostileCase.load(CORPUS).stream().flatMap(tests);
    }

    private static void udpFromKnown(HostileCase hostile, boolean registeredPhone) throws IOException {
        InetAddress source = registeredPhone ? phone : trunk;
        try (DatagramSocket socket = new DatagramSocket(0, source)) {
            if (registeredPhone) {
                register(socket);
            }
            String id = "rfc4475-" + IDS.incrementAndGet() + "-" + hostile.name();
            byte[] bytes = hostile.render("UDP", source.getHostAddress(), socket.getLocalPort(), proxy.sipPort, id);
            String checkId = "check-" + id;
            byte[] check = HostileExchange.options("UDP", source, socket.getLocalPort(), proxy.sipPort, LINE, checkId);
            String answer = HostileExchange.overUdp(proxy.sipPort, socket, bytes, socket, check, checkId, hostile);
            assertTrue(hostile.udp().matches(answer), hostile + " over UDP from " + source + ": expected " + hostile.udp()
                    + ", got " + (answer == null ? "no answer" : answer) + " (" + hostile.why() + ")");
        }
    }

    private static void tcpFromKnown(HostileCase hostile, boolean registeredPhone) throws IOException {
        InetAddress source = registeredPhone ? phone : trunk;
        String answer;
        try (Socket socket = HostileExchange.connect(source, proxy.sipPort)) {
            if (registeredPhone) {
                assertOk(HostileExchange.overTcp(socket, register("TCP", phone, socket.getLocalPort()), false), "REGISTER");
            }
            String id = "rfc4475-" + IDS.incrementAndGet() + "-" + hostile.name();
            byte[] bytes = hostile.render("TCP", source.getHostAddress(), socket.getLocalPort(), proxy.sipPort, id);
            answer = HostileExchange.overTcp(socket, bytes, hostile.tcp().isDrop());
        }
        assertTrue(hostile.tcp().matches(answer), hostile + " over TCP from " + source + ": expected " + hostile.tcp()
                + ", got " + (answer == null ? "no answer" : answer) + " (" + hostile.why() + ")");
        try (Socket socket = HostileExchange.connect(source, proxy.sipPort)) {
            byte[] after = registeredPhone ? register("TCP", phone, socket.getLocalPort())
                    : HostileExchange.options("TCP", source, socket.getLocalPort(), proxy.sipPort, LINE, "check-" + IDS.incrementAndGet());
            assertOk(HostileExchange.overTcp(socket, after, false), hostile + ": the request after it over a new connection");
        }
    }

    private static void udpFromStranger(HostileCase hostile) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, stranger); DatagramSocket known = new DatagramSocket(0, trunk)) {
            String id = "rfc4475-" + IDS.incrementAndGet() + "-" + hostile.name();
            byte[] bytes = hostile.render("UDP", stranger.getHostAddress(), socket.getLocalPort(), proxy.sipPort, id);
            String checkId = "check-" + id;
            byte[] check = HostileExchange.options("UDP", trunk, known.getLocalPort(), proxy.sipPort, "probe", checkId);
            assertNull(HostileExchange.overUdp(proxy.sipPort, socket, bytes, known, check, checkId, hostile),
                    hostile + " over UDP from an unknown source under unknownSource DROP");
        }
    }

    private static void tcpFromStranger(HostileCase hostile) throws IOException {
        try (Socket socket = HostileExchange.connect(stranger, proxy.sipPort)) {
            String id = "rfc4475-" + IDS.incrementAndGet() + "-" + hostile.name();
            byte[] bytes = hostile.render("TCP", stranger.getHostAddress(), socket.getLocalPort(), proxy.sipPort, id);
            assertNull(HostileExchange.overTcp(socket, bytes, true), hostile + " over TCP from an unknown source under unknownSource DROP");
        }
    }

    private static void register(DatagramSocket socket) throws IOException {
        assertOk(firstAnswer(socket, register("UDP", phone, socket.getLocalPort())), "REGISTER");
    }

    private static String firstAnswer(DatagramSocket socket, byte[] request) throws IOException {
        socket.setSoTimeout(5000);
        socket.send(new DatagramPacket(request, request.length,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.sipPort)));
        byte[] buffer = new byte[65535];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.receive(packet);
            String answer = HostileExchange.statusLine(new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1));
            if (!answer.matches("SIP/2\\.0 1\\d\\d .*")) {
                return answer;
            }
        }
    }

    private static byte[] register(String transport, InetAddress source, int localPort) {
        String id = "register-" + IDS.incrementAndGet();
        String local = source.getHostAddress() + ":" + localPort;
        return ("REGISTER sip:127.0.0.1:" + proxy.sipPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + local + ";rport;branch=z9hG4bK-" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + LINE + "@127.0.0.1>;tag=" + id + "\r\n"
                + "To: <sip:" + LINE + "@127.0.0.1>\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "Contact: <sip:" + LINE + "@" + local + ";transport=" + transport.toLowerCase(java.util.Locale.ROOT) + ">\r\n"
                + "Expires: 3600\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void assertOk(String statusLine, String what) {
        assertTrue(statusLine != null && statusLine.startsWith("SIP/2.0 200 "), what + " got " + statusLine);
    }
}
