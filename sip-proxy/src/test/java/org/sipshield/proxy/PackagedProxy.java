package org.sipshield.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged sipshield.jar run as an operator runs it, with its log captured. */
final class PackagedProxy implements AutoCloseable {
    private final Process process;
    private final StringBuffer log = new StringBuffer();

    PackagedProxy(Path workingDirectory, String... arguments) throws IOException {
        this(List.of(), workingDirectory, arguments);
    }

    /** jvmOptions: before -jar, e.g. a small -Xmx for a test about memory. */
    PackagedProxy(List<String> jvmOptions, Path workingDirectory, String... arguments) throws IOException {
        // SIGHUP at its default, as an operator's shell leaves it: a test suite started under nohup would
        // otherwise hand the proxy SIGHUP ignored, and ConfigReloadIT's reload signal would do nothing
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=HUP", "java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar(), "run"));
        command.addAll(List.of(arguments));
        process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    log.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "proxy-log");
        reader.setDaemon(true);
        reader.start();
        awaitLog("sipshield ready", 60);
    }

    static String jar() {
        String jar = System.getProperty("sipshield.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("packaged jar not found: " + jar);
        }
        return jar;
    }

    /** Waits (bounded) until the log holds text; fails with the whole log otherwise. */
    void awaitLog(String text, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (log.indexOf(text) >= 0) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // still running but silent: where its threads are is what says why (a reload that never logged, 2026-12-04)
        String threads = process.isAlive() ? "\nits threads:\n" + org.sipshield.proxy.peers.ProcessOutput.run(
                List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(process.pid()),
                        "Thread.print"), Path.of("."), 30).output() : "";
        throw new AssertionError("the proxy's log never said '" + text + "':\n" + log + threads);
    }

    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    String log() {
        return log.toString();
    }

    /** Waits (bounded) for the process to end by itself; true when it did. */
    boolean awaitExit(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the proxy did not stop on SIGTERM:\n" + log);
        }
    }
}
