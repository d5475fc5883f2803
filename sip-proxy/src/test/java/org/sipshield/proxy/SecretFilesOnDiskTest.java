package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;

/**
 * Every secret the proxy writes to its data directory (the digest nonce key, the SIP TLS private key,
 * a pending CSR's key) is mode 0600 from its first byte, not chmod-ed after being written under the
 * umask's mode. The proxy and `sipshield certs` run as child JVMs under strace, which records the
 * mode each file is created with (the open(2) call itself); afterwards the directory is checked too.
 */
class SecretFilesOnDiskTest {
    /**
     * openat(AT_FDCWD, "/path", O_WRONLY|O_CREAT|O_EXCL, 0600) = 5, or open/creat alike; with strace -f,
     * a call that another thread's call interrupts is written as "... 0600 <unfinished ...>" (its result
     * on a later line), and the arguments are all there already.
     */
    private static final Pattern CREATE = Pattern.compile(
            "(?:openat|open|creat)\\((?:AT_FDCWD, )?\"([^\"]+)\", ([A-Z_|]+), (0[0-7]*)(?:\\)| <unfinished)");

    @TempDir
    Path work;

    @Test
    void everySecretFileIsCreated0600() throws Exception {
        Path data = work.resolve("data");
        Path trace = work.resolve("strace.out");
        int sipPort = FreePorts.udpAndTcp();
        int tlsPort = FreePorts.udpAndTcp();
        Path config = work.resolve("sipshield.yaml");
        Files.writeString(config, "server:\n"
                + "  hostName: 127.0.0.1\n"
                + "  dataDirectory: " + data + "\n"
                + "listeners:\n"
                + "  - {transport: UDP, address: 127.0.0.1, port: " + sipPort + "}\n"
                + "  - {transport: TLS, address: 127.0.0.1, port: " + tlsPort + "}\n");

        // first start: the nonce key and the self-signed identities are created
        runProxyUntilReady(traced(trace, "run", "--config", config.toString()));
        ProcessOutput regenerated = ProcessOutput.run(traced(trace.resolveSibling("strace-regenerate.out"),
                "certs", "--data-dir", data.toString(), "regenerate", "sip", "--host", "sbc.example.net"), work, 120);
        assertEquals(0, regenerated.exitCode(), regenerated.output());
        ProcessOutput csr = ProcessOutput.run(traced(trace.resolveSibling("strace-csr.out"),
                "certs", "--data-dir", data.toString(), "csr", "sip", "--cn", "sbc.example.net"), work, 120);
        assertEquals(0, csr.exitCode(), csr.output());

        List<String> created = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Path file : List.of(trace, trace.resolveSibling("strace-regenerate.out"), trace.resolveSibling("strace-csr.out"))) {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                Matcher create = CREATE.matcher(line);
                // only the first O_CREAT open of a name creates it (the mode of a later one is ignored),
                // except that a name can be created again after a rename or delete: O_EXCL always creates
                if (create.find() && create.group(2).contains("O_CREAT") && isSecret(data, create.group(1))
                        && (create.group(2).contains("O_EXCL") || !created.contains(create.group(1)))) {
                    created.add(create.group(1));
                    if (!"0600".equals(create.group(3))) {
                        wrong.add(line);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "secret files created with a wider mode than 0600");
        // the trace saw each kind of secret being created: this test cannot pass by seeing nothing
        for (String name : List.of("digest-nonce.key", "sip.key.pem", "sip.csr.key.pem")) {
            assertTrue(created.stream().anyMatch(path -> path.contains(name)), name + " not seen created in " + created);
        }

        // and afterwards: every secret 0600, no temporary copy of one left behind
        try (Stream<Path> files = Files.walk(data)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                assertTrue(!name.endsWith(".tmp"), "left behind: " + file);
                if (isSecret(data, file.toString())) {
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
                }
            }
        }
    }

    /** A file holding a key: its name says so (digest-nonce.key, *.key.pem, and their temporary files). */
    private static boolean isSecret(Path data, String path) {
        return path.startsWith(data.toString()) && Path.of(path).getFileName().toString().contains(".key");
    }

    /** The sipshield command line in a child JVM (the test's own class path) under strace. */
    private static List<String> traced(Path trace, String... arguments) {
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=open,openat,creat",
                "-o", trace.toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.sipshield.proxy.cli.Main"));
        command.addAll(List.of(arguments));
        return command;
    }

    private void runProxyUntilReady(List<String> command) throws IOException, InterruptedException {
        Path log = work.resolve("proxy.log");
        Process proxy = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log, StandardCharsets.ISO_8859_1).contains("sipshield ready")) {
                assertTrue(proxy.isAlive() && System.nanoTime() < deadline,
                        "the proxy did not get ready:\n" + Files.readString(log, StandardCharsets.ISO_8859_1));
                Thread.sleep(100);
            }
        } finally {
            // strace detaches on SIGTERM and leaves the JVM it traces running: stop the proxy itself
            // first (strace then ends with its last tracee); a proxy left behind kept its ports
            List<ProcessHandle> traced = proxy.descendants().toList();
            traced.forEach(ProcessHandle::destroy);
            for (ProcessHandle jvm : traced) {
                try {
                    jvm.onExit().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException stillRunning) {
                    jvm.destroyForcibly();
                }
            }
            proxy.destroy();
            if (!proxy.waitFor(30, TimeUnit.SECONDS)) {
                proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
