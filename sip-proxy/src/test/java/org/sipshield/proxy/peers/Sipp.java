package org.sipshield.proxy.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * sipp (Debian's sip-tester) as a real SIP peer. Scenarios live in src/test/resources/sipp.
 * Debian's sipp has no TLS: TLS peers are openssl s_client, baresip or kamailio.
 */
public final class Sipp {
    private Sipp() {}

    /** Runs one call of the scenario as a client towards host:port; exit code 0 means it passed. */
    public static ProcessOutput client(String scenario, String transport, String host, int port, String... extra) {
        Path work = workDirectory();
        List<String> command = new ArrayList<>(List.of("sipp", "-sf", scenarioFile(scenario, work).toString(),
                "-m", "1", "-t", "udp".equalsIgnoreCase(transport) ? "u1" : "t1",
                "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.udpAndTcp()),
                "-timeout", "20s", "-timeout_error", "-nostdin", "-trace_err", "-trace_msg"));
        command.addAll(List.of(extra));
        command.add(host + ":" + port);
        ProcessOutput result = ProcessOutput.run(command, work, 40);
        String traces = readTraces(work);
        return new ProcessOutput(result.exitCode(), result.output() + traces);
    }

    private static Path workDirectory() {
        try {
            return Files.createTempDirectory("sipp");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path scenarioFile(String scenario, Path directory) {
        Path file = directory.resolve(scenario);
        try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + scenario)) {
            if (in == null) {
                throw new IllegalArgumentException("no sipp scenario " + scenario);
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readTraces(Path work) {
        StringBuilder traces = new StringBuilder();
        try (var files = Files.list(work)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                traces.append("\n--- ").append(file.getFileName()).append(" ---\n")
                        .append(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            traces.append("\n(cannot read sipp traces: ").append(e.getMessage()).append(')');
        }
        return traces.toString();
    }
}
