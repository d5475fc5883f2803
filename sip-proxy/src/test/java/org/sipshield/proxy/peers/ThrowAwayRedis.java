package org.sipshield.proxy.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * stopped and started again on the same port, as an outage would.
 */
public final class ThrowAwayRedis implements AutoCloseable {
    public static final String USER = "sipshield";
    /** Only in this temporary server, never logged by the proxy (the tests check its log for it). */
    public static final String PASSWORD = "redis-test-secret-7f3a";
    private final Path directory;
    private final int port;
    private Process server;

    private ThrowAwayRedis(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    public static ThrowAwayRedis start() throws IOException, InterruptedException {
        ThrowAwayRedis redis = new ThrowAwayRedis(Files.createTempDirectory("sipshield-redis"), FreePorts.udpAndTcp());
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
        List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--port",
                Integer.toString(port), "--dir", directory.toString(), "--save", "", "--appendonly", "no",
                "--protected-mode", "yes", "--user", "default", "off", "--user", USER, "on", ">" + PASSWORD,
                "~sipshield:*", "+@all"));
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

    /** AUTH and PING as our user: true once the server answers PONG. */
    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("AUTH " + USER + " " + PASSWORD + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            int c;
            while (!answer.toString().contains("PONG") && (c = in.read()) >= 0) {
                answer.append((char) c);
            }
            return answer.toString().contains("+OK") && answer.toString().contains("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    public Path passwordFile() {
        return directory.resolve("redis.password");
    }

    /** The redis section of a sipshield configuration that uses this server under that rule. */
    public String yaml(String unavailable) {
        return "redis: {url: \"redis://127.0.0.1:" + port + "\", user: " + USER + ", passwordFile: \""
                + passwordFile() + "\", unavailable: " + unavailable + "}\n";
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
