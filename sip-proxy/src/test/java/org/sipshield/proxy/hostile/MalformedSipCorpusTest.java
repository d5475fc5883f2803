package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    /** How long silence must last to count as a drop once the proxy has answered the OPTIONS sent after the case. */
    private static final int SILENCE_MILLIS = 300;

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
        return HostileCase.load().stream().filter(c -> c.udp() != null)
                .map(c -> DynamicTest.dynamicTest(c.name() + " over UDP", () -> overUdp(c)));
    }

    @TestFactory
    Stream<DynamicTest> corpusOverTcp() throws IOException {
        return HostileCase.load().stream().filter(c -> c.tcp() != null)
                .map(c -> DynamicTest.dynamicTest(c.name() + " over TCP", () -> overTcp(c)));
    }

    private static void overUdp(HostileCase hostile) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(5000);
            String id = "hostile-" + IDS.incrementAndGet() + "-" + hostile.name();
            byte[] bytes = hostile.render("UDP", "127.0.0.1", socket.getLocalPort(), proxy.sipPort, id);
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.sipPort);
            socket.send(new DatagramPacket(bytes, bytes.length, target));
            String checkId = "check-" + id;
            byte[] check = options("UDP", socket.getLocalPort(), checkId);
            socket.send(new DatagramPacket(check, check.length, target));

            String answer = null;
            boolean checked = false;
            long silenceUntil = Long.MAX_VALUE;
            byte[] buffer = new byte[65535];
            while (System.nanoTime() < silenceUntil) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    break;
                }
                String message = new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1);
                if (checkId.equals(callId(message))) {
                    assertTrue(message.startsWith("SIP/2.0 200 "), hostile + ": the OPTIONS after it got " + statusLine(message));
                    checked = true;
                    socket.setSoTimeout(SILENCE_MILLIS);
                    silenceUntil = System.nanoTime() + SILENCE_MILLIS * 1_000_000L;
                } else if (!message.matches("(?s)SIP/2\\.0 1\\d\\d .*") && answer == null) {
                    answer = statusLine(message);
                }
            }
            assertTrue(checked, hostile + ": no 200 to the OPTIONS sent after it");
            assertTrue(hostile.udp().matches(answer), hostile + " over UDP: expected " + hostile.udp() + ", got "
                    + (answer == null ? "no answer" : answer) + " (" + hostile.why() + ")");
        }
    }

    private static void overTcp(HostileCase hostile) throws IOException {
        String answer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.sipPort), 5000);
            socket.setSoTimeout(hostile.tcp().isDrop() ? 1000 : 5000);
            String id = "hostile-" + IDS.incrementAndGet() + "-" + hostile.name();
            socket.getOutputStream().write(hostile.render("TCP", "127.0.0.1", socket.getLocalPort(), proxy.sipPort, id));
            socket.getOutputStream().flush();
            answer = finalStatusLine(socket.getInputStream());
        }
        assertTrue(hostile.tcp().matches(answer), hostile + " over TCP: expected " + hostile.tcp() + ", got "
                + (answer == null ? "no answer" : answer) + " (" + hostile.why() + ")");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.sipPort), 5000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(options("TCP", socket.getLocalPort(), "check-tcp-" + IDS.incrementAndGet()));
            String check = finalStatusLine(socket.getInputStream());
            assertTrue(check != null && check.startsWith("SIP/2.0 200 "), hostile + ": the OPTIONS after it over a new TCP connection got " + check);
        }
    }

    /** The status line of the first final response on the stream; null on silence or a closed connection. */
    private static String finalStatusLine(InputStream in) throws IOException {
        while (true) {
            String head = readHead(in);
            if (head == null) {
                return null;
            }
            int length = contentLength(head);
            in.readNBytes(Math.max(0, Math.min(length, 1 << 20)));
            if (!head.matches("(?s)SIP/2\\.0 1\\d\\d .*")) {
                return statusLine(head);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                byte[] sofar = head.toByteArray();
                int n = sofar.length;
                if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
                    String text = head.toString(StandardCharsets.ISO_8859_1);
                    if (text.isBlank()) {
                        head.reset(); // a keepalive pong
                        continue;
                    }
                    return text;
                }
            }
        } catch (SocketTimeoutException silence) {
            return null;
        } catch (java.net.SocketException reset) {
            return null;
        }
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            String name = colon > 0 ? line.substring(0, colon).trim() : "";
            if (name.equalsIgnoreCase("Content-Length") || name.equals("l")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    private static String statusLine(String message) {
        int end = message.indexOf("\r\n");
        return end < 0 ? message : message.substring(0, end);
    }

    private static String callId(String message) {
        for (String line : message.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim();
                if (name.equalsIgnoreCase("Call-ID") || name.equals("i")) {
                    return line.substring(colon + 1).trim();
                }
            }
        }
        return null;
    }

    private static byte[] options(String transport, int localPort, String callId) {
        return ("OPTIONS sip:127.0.0.1:" + proxy.sipPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";rport;branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=check\r\n"
                + "To: <sip:127.0.0.1:" + proxy.sipPort + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
