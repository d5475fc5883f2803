package org.sipshield.proxy.peers;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * sipp as many peers at once: one scenario run as many calls at a rate, each call taking its own
 * line of an -inf CSV, judged by sipp's own final counts (successful, failed by reason, unexpected
 * messages) and its exit code, never by its timings. No -trace_msg: thousands of calls would write
 * hundreds of megabytes; -trace_err keeps the messages that went wrong, -trace_screen the
 * per-message table at the end.
 */
public final class SippLoad implements AutoCloseable {
    private final String label;
    private final Process process;
    private final Path work;
    private final List<String> command;

    private SippLoad(String label, Process process, Path work, List<String> command) {
        this.label = label;
        this.process = process;
        this.work = work;
        this.command = command;
    }

    /**
     * Starts sipp without waiting for it. options are sipp's own (transport, -i/-p, -m, -r, -l,
     * -inf, the remote host:port last for a client); what makes the run judgeable is added here.
     */
    public static SippLoad start(String label, String scenario, Map<String, String> variables, List<String> options) {
        Path work = Sipp.workDirectory();
        List<String> command = new ArrayList<>(List.of("sipp", "-sf",
                Sipp.scenarioFile(scenario, variables, work).toString(), "-nostdin",
                "-trace_stat", "-stf", "stats.csv", "-fd", "1", "-trace_screen", "-trace_err",
                // RFC 3261 Timers B and F (64*T1 = 32 s with T1 = 500 ms): a transaction is given up
                // when a real UA would give it up, not earlier because the machine is busy
                "-max_invite_retrans", "6", "-max_non_invite_retrans", "10"));
        command.addAll(options);
        try {
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("stdout.txt").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            return new SippLoad(label, process, work, command);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start sipp: " + e.getMessage(), e);
        }
    }

    public Path work() {
        return work;
    }

    /** Waits (bounded) until this sipp listens on ip:port, so a test never races a server's start. */
    public SippLoad awaitBound(String ip, int port, boolean udp) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (SocketTable.isBound(ip, port, udp)) {
                return this;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("sipp " + label + " did not bind " + ip + ":" + port + "\n" + await(1).describe());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits at most boundSeconds for sipp to end by itself (then kills it: exit -1000) and reads its counts. */
    public Result await(long boundSeconds) {
        try {
            int exit;
            if (process.waitFor(boundSeconds, TimeUnit.SECONDS)) {
                exit = process.exitValue();
            } else {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                exit = -1000;
            }
            return new Result(label, exit, lastStats(), read("_screen.log", 20_000), read("_errors.log", 12_000),
                    read("stdout.txt", 4_000), String.join(" ", command));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private Map<String, String> lastStats() {
        Map<String, String> stats = new LinkedHashMap<>();
        try {
            Path file = work.resolve("stats.csv");
            if (!Files.exists(file)) {
                return stats;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> !l.isBlank()).toList();
            if (lines.size() < 2) {
                return stats;
            }
            String[] names = lines.get(0).split(";", -1);
            String[] values = lines.get(lines.size() - 1).split(";", -1);
            for (int i = 0; i < names.length && i < values.length; i++) {
                stats.put(names[i].trim(), values[i].trim());
            }
        } catch (IOException e) {
            stats.put("(unreadable)", e.getMessage());
        }
        return stats;
    }

    /** The file of the work directory whose name ends with suffix, cut to its first limit characters. */
    private String read(String suffix, int limit) {
        try (var files = Files.list(work)) {
            StringBuilder text = new StringBuilder();
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList()) {
                String content = Files.readString(file, StandardCharsets.ISO_8859_1);
                text.append(content.length() > limit ? content.substring(0, limit) + "\n[... " + (content.length() - limit)
                        + " more characters in " + file + "]" : content);
            }
            return text.toString();
        } catch (IOException e) {
            return "(cannot read " + suffix + ": " + e.getMessage() + ")";
        }
    }

    /** What sipp reported at its end. */
    public record Result(String label, int exitCode, Map<String, String> stats, String screen, String errors,
            String stdout, String command) {

        /** A cumulative counter of sipp's statistics, e.g. "SuccessfulCall(C)"; -1 when sipp wrote none. */
        public long count(String column) {
            String value = stats.get(column);
            if (value == null || value.isEmpty()) {
                return -1;
            }
            return Long.parseLong(value);
        }

        public long successful() {
            return count("SuccessfulCall(C)");
        }

        public long failed() {
            return count("FailedCall(C)");
        }

        /** One line for the test's output: the outcome, and the figures that are reported, never judged. */
        public String summary() {
            return label + ": " + successful() + " successful, " + failed() + " failed, exit " + exitCode + ", "
                    + count("Retransmissions(C)") + " retransmissions, " + stats.getOrDefault("ElapsedTime(C)", "?")
                    + " elapsed, " + stats.getOrDefault("CallRate(C)", "?") + " calls/s";
        }

        /** Everything a failure message needs: the exit code, the non-zero counters, the screen, the errors. */
        public String describe() {
            StringBuilder text = new StringBuilder("sipp " + label + ": exit " + exitCode + "\n" + command + "\n");
            stats.forEach((name, value) -> {
                if (name.endsWith("(C)") && !value.isEmpty() && !value.matches("0+|0*\\.0*|[\\d:.]+:[\\d:.]+")) {
                    text.append("  ").append(name).append(" = ").append(value).append('\n');
                }
            });
            return text.append("--- screen ---\n").append(screen).append("\n--- errors ---\n").append(errors)
                    .append("\n--- stdout ---\n").append(stdout).toString();
        }
    }
}
