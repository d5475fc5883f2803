package org.sipshield.proxy.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Debian's kamailio as a real SIP peer (e.g. a carrier SBC that challenges us), on a loopback address. */
public final class Kamailio implements AutoCloseable {
    private final Process process;
    private final Path work;

    private Kamailio(Process process, Path work) {
        this.process = process;
        this.work = work;
    }

    /**
     * Starts kamailio on a configuration from src/test/resources/kamailio with its ${name} filled in
     * from the variables (and address, port); ${name:-default} takes the default when not given.
     */
    public static Kamailio start(String configuration, Map<String, String> variables, String address, int port) {
        try {
            Path work = Files.createTempDirectory("kamailio");
            String text;
            try (InputStream in = Kamailio.class.getResourceAsStream("/kamailio/" + configuration)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, String> values = new java.util.HashMap<>(variables);
            values.put("address", address);
            values.put("port", Integer.toString(port));
            // ${name:-default}: a configuration's optional variable, so its other users need not name it
            text = java.util.regex.Pattern.compile("\\$\\{(\\w+)(?::-([^}]*))?}").matcher(text).replaceAll(found -> {
                String value = values.getOrDefault(found.group(1), found.group(2));
                return java.util.regex.Matcher.quoteReplacement(value != null ? value : found.group());
            });
            Path file = work.resolve(configuration);
            Files.writeString(file, text);
            Files.createDirectories(work.resolve("run"));
            Process process = new ProcessBuilder(List.of("kamailio", "-f", file.toString(), "-DD", "-E",
                    "-Y", work.resolve("run").toString(), "-w", work.toString()))
                    .redirectErrorStream(true).redirectOutput(work.resolve("kamailio.log").toFile()).start();
            Kamailio kamailio = new Kamailio(process, work);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!SocketTable.isBound(address, port, true)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    kamailio.close();
                    throw new IllegalStateException("kamailio did not start:\n" + kamailio.log());
                }
                Thread.sleep(20);
            }
            return kamailio;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start kamailio: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String log() {
        try {
            return Files.readString(work.resolve("kamailio.log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no kamailio log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
