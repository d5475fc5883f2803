package org.sipshield.proxy.management;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sipshield.proxy.peers.ProcessOutput;

/**
 * The management API as an operator's tools reach it: curl over HTTPS, trusting the proxy's
 * https certificate (and nothing else), with a bearer token or a client certificate.
 */
public final class Curl {
    /** curlExit 0 with the HTTP status and body; any other curlExit means no HTTP exchange (e.g. 35: handshake refused). */
    public record Answer(int curlExit, int status, String body, String output) {}

    private final Path serverCertificate;
    private final String host;
    private final int port;

    public Curl(Path dataDirectory, int port) {
        this(dataDirectory, "127.0.0.1", port);
    }

    /** A proxy whose management listener (and certificate name) is another loopback address. */
    public Curl(Path dataDirectory, String host, int port) {
        this.serverCertificate = dataDirectory.resolve("certs/https.crt.pem");
        this.host = host;
        this.port = port;
    }

    public Answer get(String path, String token) {
        return request("GET", path, token, null);
    }

    /** A request with a JSON body, as a script would send it (the body from a file). */
    public Answer json(String method, String path, String token, String body) {
        try {
            Path file = Files.createTempFile("curl-body", ".json");
            Files.writeString(file, body);
            return request(method, path, token, null, "-H", "Content-Type: application/json", "--data-binary", "@" + file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** curlOptions go before the URL, e.g. "--tls-max", "1.2", "--ciphers", "...". */
    public Answer request(String method, String path, String token, Path[] clientCertificateAndKey, String... curlOptions) {
        try {
            Path work = Files.createTempDirectory("curl");
            Path body = work.resolve("body");
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", serverCertificate.toString(),
                    "-X", method, "-o", body.toString(), "-w", "%{http_code}"));
            if (token != null) {
                // from a file, as an operator would keep it off the command line (ps shows arguments)
                Path header = work.resolve("auth");
                Files.writeString(header, "Authorization: Bearer " + token + "\n");
                command.addAll(List.of("-H", "@" + header));
            }
            if (clientCertificateAndKey != null) {
                command.addAll(List.of("--cert", clientCertificateAndKey[0].toString(),
                        "--key", clientCertificateAndKey[1].toString()));
            }
            command.addAll(List.of(curlOptions));
            command.add("https://" + host + ":" + port + path);
            ProcessOutput out = ProcessOutput.run(command, work, 120);
            String text = Files.exists(body) ? Files.readString(body, StandardCharsets.UTF_8) : "";
            String output = out.output().trim();
            int status = out.exitCode() == 0 && output.matches("(?s).*\\d{3}$") ? Integer.parseInt(output.substring(output.length() - 3)) : 0;
            return new Answer(out.exitCode(), status, text, out.output());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
