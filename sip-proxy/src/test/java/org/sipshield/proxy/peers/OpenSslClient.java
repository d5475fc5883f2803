package org.sipshield.proxy.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code openssl s_client} as a real TLS peer: sends one SIP message over TLS and returns what
 * came back (handshake summary and the SIP response), read until a full response or a bound.
 */
public final class OpenSslClient {
    private OpenSslClient() {}

    public static String exchange(String host, int port, String sipMessage, String... options) {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", host + ":" + port,
                "-ign_eof", "-brief"));
        command.addAll(List.of(options));
        Process process = null;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(sipMessage.getBytes(StandardCharsets.UTF_8));
                in.flush();
                return readResponse(process, 15_000);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run openssl s_client: " + e.getMessage(), e);
        } finally {
            if (process != null) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Reads until a blank line ends a SIP response's headers, EOF, or the time bound. */
    private static String readResponse(Process process, long boundMillis) throws IOException {
        InputStream stream = process.getInputStream();
        StringBuilder text = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            if (stream.available() == 0) {
                if (!process.isAlive()) {
                    text.append(new String(stream.readAllBytes(), StandardCharsets.ISO_8859_1));
                    break;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                int sipStart = text.indexOf("SIP/2.0 ");
                if (sipStart >= 0 && text.indexOf("\r\n\r\n", sipStart) > 0) {
                    break;
                }
                continue;
            }
            int read = stream.read(buffer);
            if (read < 0) {
                break;
            }
            text.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    /** A minimal OPTIONS over TLS, as a phone's keepalive would send it. */
    public static String optionsRequest(String host, int port) {
        return "OPTIONS sip:" + host + ":" + port + ";transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-tls-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=tls1\r\n"
                + "To: <sip:" + host + ":" + port + ">\r\n"
                + "Call-ID: tls-probe-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
