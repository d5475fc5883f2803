package org.sipshield.proxy.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of its own for one test class: Debian's initdb into a temporary directory,
 * pg_ctl on 127.0.0.1 and a free port, stopped and deleted on close. PostgreSQL refuses to run as
 * root, so when the tests run as root the server runs as the {@code postgres} user. Trust
 * authentication on loopback only: the cluster lives as long as the test class and holds nothing.
 */
public final class ThrowAwayPostgres implements AutoCloseable {
    public static final String DATABASE = "sipshield";
    private final Path directory;
    private final Path bin;
    private final int port;

    private ThrowAwayPostgres(Path directory, Path bin, int port) {
        this.directory = directory;
        this.bin = bin;
        this.port = port;
    }

    public static ThrowAwayPostgres start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path directory = Files.createTempDirectory("sipshield-pg");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("chown", "postgres:postgres", directory.toString()), false);
        }
        ThrowAwayPostgres postgres = new ThrowAwayPostgres(directory, bin, FreePorts.udpAndTcp());
        try {
            Path data = directory.resolve("data");
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-instructions"), root);
            postgres.startServer();
            try (Connection connection = DriverManager.getConnection(postgres.url("postgres"), "postgres", null)) {
                connection.createStatement().execute("CREATE DATABASE " + DATABASE);
            }
        } catch (IOException | InterruptedException | SQLException | RuntimeException e) {
            postgres.close(); // a half-started server or its directory must not outlive the failed test class
            throw new IOException("cannot start the test PostgreSQL: " + e.getMessage(), e);
        }
        return postgres;
    }

    /** Starts (again) the server on its port and directory; returns once it accepts connections. */
    public void startServer() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-w", "-t", "60",
                "-l", directory.resolve("server.log").toString(), "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + directory, "start"),
                "root".equals(System.getProperty("user.name")));
    }

    /** Stops the server at once (pg_ctl -m immediate: connections cut, as a crash or a network loss would). */
    public void stopServer() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", directory.resolve("data").toString(), "-m",
                "immediate", "-w", "stop"), "root".equals(System.getProperty("user.name")));
    }

    /** The newest server Debian's postgresql package installed. */
    private static Path binaries() throws IOException {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IOException("no PostgreSQL server under /usr/lib/postgresql"));
        }
    }

    public String url() {
        return url(DATABASE);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The database section of a sipshield configuration that uses this server. */
    public String yaml() {
        return "database: {url: \"" + url() + "\", user: postgres}\n";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", null);
    }

    @Override
    public void close() {
        try {
            stopServer();
        } catch (IOException | InterruptedException e) {
            System.err.println("stopping the test PostgreSQL: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("deleting " + directory + ": " + e.getMessage());
        }
    }

    private static void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
