package org.sipshield.tls;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real Debian tools the tests check against (openssl, testssl), always with a time bound. */
final class ExternalProcess {
    private ExternalProcess() {}

    record Result(int exitCode, String output) {}

    static Result run(List<String> command, String stdin, long timeoutSeconds) throws IOException, InterruptedException {
        return run(command, stdin, timeoutSeconds, null);
    }

    static Result run(List<String> command, String stdin, long timeoutSeconds, Path workingDirectory)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        byte[][] output = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                output[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = ("(output unreadable: " + e + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            reader.join(5000);
            throw new IllegalStateException(command + " did not finish within " + timeoutSeconds + " s");
        }
        reader.join(5000);
        return new Result(process.exitValue(), new String(output[0] == null ? new byte[0] : output[0], StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
