package org.sipshield.proxy.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * sipp (Debian's sip-tester) as a real SIP peer. Scenarios live in src/test/resources/sipp; a
 * scenario may hold ${name} placeholders, filled from the variables given (a ${headers} line
 * with no value disappears). Debian's sipp has no TLS: TLS peers are openssl s_client.
 */
public final class Sipp {
    private Sipp() {}

    /** A scenario's variables from name, value pairs (a mutable map: a test may add to it). */
    public static Map<String, String> variables(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs: " + List.of(namesAndValues));
        }
        Map<String, String> variables = new java.util.HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            variables.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return variables;
    }

    /** Runs one call of the scenario as a client from 127.0.0.1 towards host:port; exit code 0 means it passed. */
    public static ProcessOutput client(String scenario, String transport, String host, int port, String... extra) {
        return client(scenario, Map.of(), transport, "127.0.0.1", host, port, extra);
    }

    public static ProcessOutput client(String scenario, Map<String, String> variables, String transport, String localIp,
            String host, int port, String... extra) {
        Path work = workDirectory();
        List<String> command = command(scenarioFile(scenario, variables, work), transport, localIp,
                FreePorts.udpAndTcp());
        // Calls placed by a client carry a recognisable Call-ID, so a test can prove it never crosses to the other leg.
        command.addAll(List.of("-cid_str", "leg-a-%u-%p@%s"));
        command.addAll(authUri(variables, host, port));
        command.addAll(List.of(extra));
        command.add(host + ":" + port);
        ProcessOutput result = ProcessOutput.run(command, work, 60);
        return new ProcessOutput(result.exitCode(), result.output() + readTraces(work));
    }

    /**
     * Starts one call of the scenario as a client without waiting for it, so a test can act while the
     * call is up (send media, read {@link Server#messages()}); {@link Server#finish()} waits for its end.
     */
    public static Server startClient(String scenario, Map<String, String> variables, String transport, String localIp,
            String host, int port) {
        Path work = workDirectory();
        int localPort = FreePorts.udpAndTcp();
        List<String> command = command(scenarioFile(scenario, variables, work), transport, localIp, localPort);
        command.addAll(authUri(variables, host, port));
        command.addAll(List.of("-cid_str", "leg-a-%u-%p@%s", host + ":" + port));
        try {
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("stdout.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new Server(process, work, localIp, localPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start sipp: " + e.getMessage(), e);
        }
    }

    /**
     * The messages of a -trace_msg text, each as "received" or "sent" followed by the message, in
     * order; retransmissions appear as often as they were seen.
     */
    public static List<String> tracedMessages(String trace, boolean received) {
        List<String> messages = new ArrayList<>();
        String wanted = received ? "message received" : "message sent";
        for (String block : trace.split("(?m)^-{20,} .*$")) {
            String b = block.strip();
            int headerEnd = b.indexOf('\n');
            if (headerEnd > 0 && b.substring(0, headerEnd).contains(wanted)) {
                messages.add(b.substring(headerEnd + 1).strip());
            }
        }
        return messages;
    }

    /** Starts a sipp server (UAS) that handles one call of the scenario on localIp:port. */
    public static Server server(String scenario, Map<String, String> variables, String transport, String localIp, int port) {
        return server(scenario, variables, transport, localIp, port, new String[0]);
    }

    /** A sipp server with further options, e.g. "-m", "20" to handle twenty calls. */
    public static Server server(String scenario, Map<String, String> variables, String transport, String localIp, int port,
            String... extra) {
        Path work = workDirectory();
        List<String> command = command(scenarioFile(scenario, variables, work), transport, localIp, port);
        command.addAll(List.of(extra));
        try {
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("stdout.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Server server = new Server(process, work, localIp, port);
            server.awaitBound("udp".equalsIgnoreCase(transport));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start sipp: " + e.getMessage(), e);
        }
    }

    /** A running sipp server; {@link #finish()} waits (bounded) for its one call to end. */
    public record Server(Process process, Path work, String ip, int port) implements AutoCloseable {
        public ProcessOutput finish() {
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    return new ProcessOutput(-1000, "sipp server timed out\n" + readTraces(work));
                }
                return new ProcessOutput(process.exitValue(), readTraces(work));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Waits (bounded) until sipp has bound its socket, so a test never races its start. */
        void awaitBound(boolean udp) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && process.isAlive()) {
                if (SocketTable.isBound(ip, port, udp)) {
                    return;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            throw new IllegalStateException("sipp did not bind " + ip + ":" + port + "\n" + readTraces(work));
        }

        /** Every message this server received or sent, as sipp's -trace_msg wrote them. */
        public String messages() {
            return readTraces(work);
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * sipp's digest uri is host:port unless told otherwise, which the proxy refuses for any other
     * Request-URI (RFC 7616 3.4.6); a scenario calling ${called} sends sip:${called}@host:port.
     */
    static List<String> authUri(Map<String, String> variables, String host, int port) {
        String called = variables.get("called");
        return called == null ? List.of() : List.of("-auth_uri", called + "@" + host + ":" + port);
    }

    private static List<String> command(Path scenario, String transport, String localIp, int localPort) {
        return new ArrayList<>(List.of("sipp", "-sf", scenario.toString(), "-m", "1",
                "-t", "udp".equalsIgnoreCase(transport) ? "u1" : "t1",
                "-i", localIp, "-p", Integer.toString(localPort),
                "-timeout", "40s", "-timeout_error", "-nostdin", "-trace_err", "-trace_msg"));
    }

    static Path workDirectory() {
        try {
            return Files.createTempDirectory("sipp");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path scenarioFile(String scenario, Map<String, String> variables, Path directory) {
        try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + scenario)) {
            if (in == null) {
                throw new IllegalArgumentException("no sipp scenario " + scenario);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!variables.containsKey("headers")) {
                text = text.replaceAll("(?m)^\\s*\\$\\{headers}\\s*\\n", "");
            }
            for (Map.Entry<String, String> variable : variables.entrySet()) {
                String value = variable.getValue();
                if ("headers".equals(variable.getKey()) && value.isEmpty()) {
                    text = text.replaceAll("(?m)^\\s*\\$\\{headers}\\s*\\n", "");
                    continue;
                }
                text = text.replace("${" + variable.getKey() + "}", value);
            }
            if (text.contains("${")) {
                throw new IllegalArgumentException(scenario + " still has a placeholder: "
                        + text.substring(text.indexOf("${"), Math.min(text.length(), text.indexOf("${") + 20)));
            }
            Path file = directory.resolve(scenario);
            Files.writeString(file, text, StandardCharsets.ISO_8859_1);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String readTraces(Path work) {
        StringBuilder traces = new StringBuilder();
        try (var files = Files.list(work)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                traces.append("\n--- ").append(file.getFileName()).append(" ---\n")
                        .append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            traces.append("\n(cannot read sipp traces: ").append(e.getMessage()).append(')');
        }
        return traces.toString();
    }
}
