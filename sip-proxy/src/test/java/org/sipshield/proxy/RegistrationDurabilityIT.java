package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.registrar.Binding;
import org.sipshield.proxy.registrar.SqliteRegistrationStore;

/**
 * A REGISTER answered 200 survives kill -9: the packaged proxy is killed while sipp is still
 * registering phones, and every line sipp saw a 200 for is in the database afterwards. The 200 is
 * sent only after the grouped commit that holds the binding, so nothing acknowledged can be lost.
 */
class RegistrationDurabilityIT {
    static final int PHONES = 800;

    @TempDir
    Path workingDirectory;

    @Test
    void everyRegistrationAnswered200BeforeAKillIsStored() throws Exception {
        int port = FreePorts.udpAndTcp();
        Path config = writePhones(workingDirectory, PHONES, port, "", "");

        String sippOutput;
        try (PackagedProxy proxy = new PackagedProxy(workingDirectory, "--config", config.toString())) {
            Process sipp = startRegistering(workingDirectory, PHONES, port);
            // Kill mid-run, once some hundreds are registered (a rate a loaded 2-core machine holds).
            proxy.awaitLog("registered SEP000000000300 ", 120);
            proxy.signal("KILL");
            assertTrue(sipp.waitFor(180, TimeUnit.SECONDS), "sipp did not end");
            sippOutput = Files.readString(workingDirectory.resolve("sipp.out"), StandardCharsets.ISO_8859_1);
        }

        long answered200 = successfulCalls(sippOutput);
        // the log line is written as the answer leaves, so sipp may have counted a few less than 300
        assertTrue(answered200 > 0, "no registration was answered before the kill?\n" + sippOutput);
        assertTrue(answered200 < PHONES, "the proxy was killed mid-run, yet every phone registered?\n" + sippOutput);
        try (SqliteRegistrationStore store = SqliteRegistrationStore.open(workingDirectory.resolve("data"))) {
            List<Binding> stored = store.allActive(Instant.now());
            Set<String> lines = stored.stream().map(Binding::addressOfRecord).collect(Collectors.toSet());
            assertTrue(lines.size() >= answered200, "sipp saw " + answered200 + " registrations answered 200, the database"
                    + " holds " + lines.size() + " lines after kill -9");
            assertEquals(lines.size(), stored.size(), "one binding per line");
        }
    }

    /**
     * A configuration of {@code phones} digest phones (line 30000+i, user ui, password pwi) and
     * sipp's matching CSV; serverKeys (", key: value") and extraYaml let another test put the same
     * phones on other storage.
     */
    static Path writePhones(Path workingDirectory, int phones, int port, String serverKeys, String extraYaml)
            throws Exception {
        StringBuilder yaml = new StringBuilder("""
                server: {dataDirectory: data, hostName: 127.0.0.1%s}
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: %d}
                  - {transport: TCP, address: 127.0.0.1, port: %d}
                  - {transport: TLS, address: 127.0.0.1, port: %d}
                security: {requestsPerSecondPerSource: 100000, requestBurstPerSource: 100000}
                phoneSecurityProfiles:
                  - {name: digest phones, enableDigestAuthentication: true}
                """.formatted(serverKeys, port, port, FreePorts.udpAndTcp()) + extraYaml + "endUsers:\n");
        StringBuilder phoneList = new StringBuilder("phones:\n");
        StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
        for (int i = 0; i < phones; i++) {
            String user = "u" + i;
            String ha1 = DigestChecksum.compute(DigestAlgorithm.MD5, user, "ccmsipline", ("pw" + i).toCharArray())
                    .toStoredForm().substring(4);
            yaml.append("  - {userId: ").append(user).append(", digestCredentials: {MD5: ").append(ha1).append("}}\n");
            phoneList.append("  - {deviceName: SEP").append(String.format("%012d", i)).append(", securityProfile: digest phones,")
                    .append(" digestUser: ").append(user).append(", lines: [\"").append(30000 + i).append("\"]}\n");
            csv.append(30000 + i).append(";[authentication username=").append(user).append(" password=pw").append(i)
                    .append("]\n");
        }
        Path config = workingDirectory.resolve("sipshield.yaml");
        Files.writeString(config, yaml.append(phoneList));
        Files.writeString(workingDirectory.resolve("phones.csv"), csv);
        try (InputStream scenario = RegistrationDurabilityIT.class.getResourceAsStream("/sipp/register-csv.xml")) {
            Files.write(workingDirectory.resolve("register-csv.xml"), scenario.readAllBytes());
        }
        return config;
    }

    /** sipp registering every phone of {@link #writePhones} at 50 a second, its output in sipp.out. */
    static Process startRegistering(Path workingDirectory, int phones, int port) throws Exception {
        return startRegistering(workingDirectory, phones, port, FreePorts.udpAndTcp());
    }

    /** sippPort: the port sipp registers from, which every phone's Contact names. */
    static Process startRegistering(Path workingDirectory, int phones, int port, int sippPort) throws Exception {
        return new ProcessBuilder("sipp", "-sf", "register-csv.xml", "-inf", "phones.csv", "-r", "50",
                "-m", Integer.toString(phones), "-t", "u1", "-i", "127.0.0.1", "-p", Integer.toString(sippPort),
                "-timeout", "120s", "-nostdin", "127.0.0.1:" + port)
                .directory(workingDirectory.toFile()).redirectErrorStream(true)
                .redirectOutput(workingDirectory.resolve("sipp.out").toFile()).start();
    }

    /** sipp's closing statistics: the cumulative "Successful call" count. */
    static long successfulCalls(String output) {
        Matcher matcher = Pattern.compile("Successful call\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)").matcher(output);
        long last = -1;
        while (matcher.find()) {
            last = Long.parseLong(matcher.group(1));
        }
        assertTrue(last >= 0, "no statistics in sipp's output:\n" + output);
        return last;
    }
}
