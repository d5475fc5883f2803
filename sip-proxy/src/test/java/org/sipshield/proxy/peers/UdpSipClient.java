package org.sipshield.proxy.peers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A minimal SIP client over UDP for what sipp cannot do: replaying a message byte for byte,
 * sending malformed ones, reading a challenge to answer it by hand. Its Via names its own
 * socket (with rport), so answers come back to it.
 */
public final class UdpSipClient implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetAddress proxy;
    private final int proxyPort;

    public UdpSipClient(String localIp, String proxyIp, int proxyPort) throws IOException {
        this.socket = new DatagramSocket(0, InetAddress.getByName(localIp));
        this.socket.setSoTimeout(5000);
        this.proxy = InetAddress.getByName(proxyIp);
        this.proxyPort = proxyPort;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public String localIp() {
        return socket.getLocalAddress().getHostAddress();
    }

    /** A request with the usual headers; extraHeaders are CRLF-terminated lines added before Content-Length. */
    public String request(String method, String requestUri, String fromUser, String toUser, String callId, int cseq,
            String extraHeaders) {
        return method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + localIp() + ":" + localPort() + ";rport;branch=z9hG4bK-" + callId + "-" + cseq + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + fromUser + "@" + localIp() + ">;tag=t-" + callId + "\r\n"
                + "To: <sip:" + toUser + "@" + proxy.getHostAddress() + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:" + fromUser + "@" + localIp() + ":" + localPort() + ">\r\n"
                + extraHeaders
                + "Content-Length: 0\r\n\r\n";
    }

    public void send(String message) throws IOException {
        send(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void send(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, proxy, proxyPort));
    }

    /** The next message received, skipping provisional responses; "(no answer...)" when none came within 5 s. */
    public String receiveFinal() throws IOException {
        while (true) {
            String message = receive();
            if (!message.matches("(?s)SIP/2\\.0 1\\d\\d .*")) {
                return message;
            }
        }
    }

    public String receive() throws IOException {
        byte[] buffer = new byte[65535];
        DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(answer);
        } catch (SocketTimeoutException e) {
            return "(no answer within 5 s)";
        }
        return new String(buffer, 0, answer.getLength(), StandardCharsets.ISO_8859_1);
    }

    public String exchange(String request) throws IOException {
        send(request);
        return receiveFinal();
    }

    /** The value of the first header of that name in a message, or null. */
    public static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() {
        socket.close();
    }
}
