package org.sipshield.proxy.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a peer program to completion (bounded), with its output captured. */
public record ProcessOutput(int exitCode, String output) {

    public static ProcessOutput run(List<String> command, Path workingDirectory, long timeoutSeconds) {
        try {
            Path log = Files.createTempFile("peer", ".log");
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new ProcessOutput(-1000, "timed out after " + timeoutSeconds + " s: " + command + "\n"
                        + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
            String output = Files.readString(log, StandardCharsets.ISO_8859_1);
            Files.deleteIfExists(log);
            return new ProcessOutput(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
