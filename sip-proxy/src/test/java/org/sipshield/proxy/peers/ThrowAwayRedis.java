package org.sipshield.proxy.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Redis of its own for one test class: Debian's redis-server on 127.0.0.1 and a free port, in a
 * temporary directory, nothing saved to disk. Its only user is an ACL user with a password (the
 * default user is off), so a node that did not authenticate cannot use it: what the tests prove
 * about sharing is proved through {@code redis.user} and {@code redis.passwordFile}. It can be
 * stopped and started again on the same port, as an outage would. {@link #startTls} serves TLS
 * only, with a certificate for 127.0.0.1 from a test CA made by openssl.
 */
public final class ThrowAwayRedis implements AutoCloseable {
    public static final String USER = "sipshield";
    /** Only in this temporary server, never logged by the proxy (the tests check its log for it). */
    public static final String PASSWORD = "redis-test-secret-7f3a";
    private final Path directory;
    private final int port;
    /** The test CA, when the server speaks TLS only; else null. */
    private final TestCertificates tls;
    private Process server;

    private ThrowAwayRedis(Path directory, int port, boolean tls) throws IOException {
        this.directory = directory;
        this.port = port;
        this.tls = tls ? new TestCertificates(Files.createDirectories(directory.resolve("tls"))) : null;
        if (tls) {
            this.tls.issue("redis", true, "127.0.0.1");
        }
    }

    public static ThrowAwayRedis start() throws IOException, InterruptedException {
        return start(false);
    }

    public static ThrowAwayRedis startTls() throws IOException, InterruptedException {
        return start(true);
    }

    private static ThrowAwayRedis start(boolean tls) throws IOException, InterruptedException {
        ThrowAwayRedis redis = new ThrowAwayRedis(Files.createTempDirectory("sipshield-redis"), FreePorts.udpAndTcp(), tls);
        Files.writeString(redis.passwordFile(), PASSWORD + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(redis.passwordFile(), PosixFilePermissions.fromString("rw-------"));
        try {
            redis.startServer();
        } catch (IOException | InterruptedException | RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    /** Starts (again) the server on its port; returns once it accepts connections. */
    public synchronized void startServer() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--dir",
                directory.toString(), "--save", "", "--appendonly", "no", "--protected-mode", "yes",
                "--user", "default", "off", "--user", USER, "on", ">" + PASSWORD, "~sipshield:*", "+@all"));
        if (tls == null) {
            command.addAll(List.of("--port", Integer.toString(port)));
        } else {
            Path certificates = directory.resolve("tls");
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file",
                    certificates.resolve("redis.pem").toString(), "--tls-key-file", certificates.resolve("redis.key").toString(),
                    "--tls-ca-cert-file", tls.caCertificate().toString(), "--tls-auth-clients", "no"));
        }
        server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("server.log").toFile()).start();
        for (int i = 0; i < 200; i++) {
            if (!server.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(directory.resolve("server.log")));
            }
            if (answersPing()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("redis-server did not answer on 127.0.0.1:" + port);
    }

    /** Stops the server (SIGTERM, as a stopped service); its state goes with it. */
    public synchronized void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            server = null;
        }
    }

    /** PING as our user with Debian's redis-cli (over TLS when the server speaks it): true once it answers PONG. */
    private boolean answersPing() {
        return redisCli("PING").output().trim().equals("PONG");
    }

    /** A command as our user, e.g. to read what the nodes wrote. */
    public ProcessOutput redisCli(String... arguments) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "--user", USER, "--pass", PASSWORD, "--no-auth-warning"));
        if (tls != null) {
            command.addAll(List.of("--tls", "--cacert", tls.caCertificate().toString()));
        }
        command.addAll(List.of(arguments));
        return ProcessOutput.run(command, directory, 30);
    }

    public Path passwordFile() {
        return directory.resolve("redis.password");
    }

    /** The redis section of a sipshield configuration that uses this server under that rule. */
    public String yaml(String unavailable) {
        return yaml(unavailable, tls == null ? null : tls.caCertificate());
    }

    /** With TLS, the CA a node trusts for it (another one than this server's: the node must refuse the server). */
    public String yaml(String unavailable, Path caFile) {
        return "redis: {url: \"" + (tls == null ? "redis" : "rediss") + "://127.0.0.1:" + port + "\", user: " + USER
                + ", passwordFile: \"" + passwordFile() + "\", unavailable: " + unavailable
                + (caFile == null ? "" : ", caFile: \"" + caFile + "\"") + "}\n";
    }

    @Override
    public void close() {
        try {
            stopServer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("deleting " + directory + ": " + e.getMessage());
        }
    }
}
