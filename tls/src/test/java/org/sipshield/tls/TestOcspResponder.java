package org.sipshield.tls;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real OpenSSL OCSP responder behind a 127.0.0.1 HTTP endpoint. Debian's OpenSSL 3
 * {@code ocsp -port} takes only a number and listens on every interface, so instead each
 * request goes to {@code openssl ocsp -index ... -reqin ... -respout ...}: the same responder
 * code, reachable on loopback only.
 */
final class TestOcspResponder implements AutoCloseable {
    private static final DateTimeFormatter INDEX_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Path directory;
    private final Path index;
    private final Path caFile;
    private final Path caKey;
    private final HttpServer server;
    private final List<String> indexLines = new ArrayList<>();
    final AtomicInteger requests = new AtomicInteger();

    TestOcspResponder(Path directory, int port, TestPki ca) throws IOException {
        this.directory = Files.createDirectories(directory);
        this.index = directory.resolve("index.txt");
        Files.writeString(index, "");
        Files.writeString(directory.resolve("index.txt.attr"), "unique_subject = no\n");
        this.caFile = TestPki.writePem(directory.resolve("ca.pem"), ca.caCertificate);
        this.caKey = TestPki.writePem(directory.resolve("ca.key"), ca.caKeys.getPrivate());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10);
        server.createContext("/", exchange -> {
            int n = requests.incrementAndGet();
            byte[] request = exchange.getRequestBody().readAllBytes();
            Path requestFile = directory.resolve("request-" + n + ".der");
            Path responseFile = directory.resolve("response-" + n + ".der");
            Files.write(requestFile, request);
            try {
                ExternalProcess.Result result = ExternalProcess.run(List.of("openssl", "ocsp", "-index", index.toString(),
                        "-CA", caFile.toString(), "-rsigner", caFile.toString(), "-rkey", caKey.toString(),
                        "-reqin", requestFile.toString(), "-respout", responseFile.toString(), "-nmin", "10"), null, 20);
                if (result.exitCode() != 0 || !Files.exists(responseFile)) {
                    exchange.sendResponseHeaders(500, -1);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            byte[] response = Files.readAllBytes(responseFile);
            exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(200, response.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(response);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    synchronized void good(X509Certificate certificate) throws IOException {
        add("V\t" + INDEX_TIME.format(certificate.getNotAfter().toInstant()) + "\t\t" + serial(certificate)
                + "\tunknown\t" + subject(certificate));
    }

    synchronized void revoked(X509Certificate certificate) throws IOException {
        add("R\t" + INDEX_TIME.format(certificate.getNotAfter().toInstant()) + "\t"
                + INDEX_TIME.format(java.time.Instant.now().minusSeconds(3600)) + ",keyCompromise\t" + serial(certificate)
                + "\tunknown\t" + subject(certificate));
    }

    private void add(String line) throws IOException {
        indexLines.add(line);
        Files.writeString(index, String.join("\n", indexLines) + "\n");
    }

    private static String serial(X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private static String subject(X509Certificate certificate) {
        return "/" + certificate.getSubjectX500Principal().getName().replace(",", "/");
    }

    @Override
    public void close() {
        server.stop(0);
    }

    Path directory() {
        return directory;
    }
}
