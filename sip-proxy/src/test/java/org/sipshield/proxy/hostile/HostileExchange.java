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

/**
 * Sending one hostile message to a running proxy the way an attacker's socket would, and reading
 * what comes back: the corpus tests share it. Silence is only ever judged after the proxy has
 * answered a request sent after the case (so it has seen the case), plus a short grace period.
 */
final class HostileExchange {
    /** How long silence must last to count as a drop once the proxy has answered the request sent after the case. */
    static final int SILENCE_MILLIS = 300;

    private HostileExchange() {}

    /**
     * Sends the case from caseSocket, then the check request from checkSocket (the same socket or
     * another known source's); the check must get 200. Returns the status line of the first final
     * answer to the case, null on silence.
     */
    static String overUdp(int proxyPort, DatagramSocket caseSocket, byte[] message, DatagramSocket checkSocket,
            byte[] check, String checkId, Object context) throws IOException {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort);
        caseSocket.send(new DatagramPacket(message, message.length, target));
        checkSocket.send(new DatagramPacket(check, check.length, target));
        String answer = null;
        boolean checked = false;
        byte[] buffer = new byte[65535];
        checkSocket.setSoTimeout(5000);
        while (!checked) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                checkSocket.receive(packet);
            } catch (SocketTimeoutException e) {
                break;
            }
            String received = new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1);
            if (checkId.equals(callId(received))) {
                assertTrue(received.startsWith("SIP/2.0 200 "), context + ": the request after it got " + statusLine(received));
                checked = true;
            } else if (checkSocket == caseSocket && answer == null && isFinal(received)) {
                answer = statusLine(received);
            }
        }
        assertTrue(checked, context + ": no 200 to the request sent after it");
        caseSocket.setSoTimeout(SILENCE_MILLIS);
        long silenceUntil = System.nanoTime() + SILENCE_MILLIS * 1_000_000L;
        while (System.nanoTime() < silenceUntil) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                caseSocket.receive(packet);
            } catch (SocketTimeoutException e) {
                break;
            }
            String received = new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1);
            if (answer == null && !checkId.equals(callId(received)) && isFinal(received)) {
                answer = statusLine(received);
            }
        }
        return answer;
    }

    /** Writes the case on a connected socket; the status line of the first final answer, null on silence or close. */
    static String overTcp(Socket socket, byte[] message, boolean silenceExpected) throws IOException {
        socket.setSoTimeout(silenceExpected ? 1000 : 5000);
        socket.getOutputStream().write(message);
        socket.getOutputStream().flush();
        return finalStatusLine(socket.getInputStream());
    }

    static Socket connect(InetAddress localAddress, int proxyPort) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort), 5000);
        return socket;
    }

    /** The status line of the first final response on the stream; null on silence or a closed connection. */
    static String finalStatusLine(InputStream in) throws IOException {
        while (true) {
            String head = readHead(in);
            if (head == null) {
                return null;
            }
            int length = contentLength(head);
            in.readNBytes(Math.max(0, Math.min(length, 1 << 20)));
            if (isFinal(head)) {
                return statusLine(head);
            }
        }
    }

    /** An OPTIONS ping to the proxy from user fromUser (a phone's own requests are recognised by its number). */
    static byte[] options(String transport, InetAddress localHost, int localPort, int proxyPort, String fromUser,
            String callId) {
        String local = localHost.getHostAddress();
        return ("OPTIONS sip:127.0.0.1:" + proxyPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + local + ":" + localPort + ";rport;branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + fromUser + "@" + local + ">;tag=check\r\n"
                + "To: <sip:127.0.0.1:" + proxyPort + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static String statusLine(String message) {
        int end = message.indexOf("\r\n");
        return end < 0 ? message : message.substring(0, end);
    }

    private static boolean isFinal(String message) {
        return message.startsWith("SIP/2.0 ") && !message.matches("(?s)SIP/2\\.0 1\\d\\d .*");
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
}
