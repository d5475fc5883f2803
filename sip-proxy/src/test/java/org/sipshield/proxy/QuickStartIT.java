package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.ProcessOutput;

/**
 * "First call in five minutes": every configuration in config/examples passes the real
 * check-config, and the quick start's steps (docs/quick-start.md), run as written from a fresh
 * directory, make an SRTP call between two baresip phones registered through sipshield on the lab
 * example: setup.sh (lab CA, phone certificates, baresip configs, the CA trusted), sipshield run
 * with lab.yaml, bob's baresip, then alice's dialling 2002. The launcher is replaced by the
 * packaged jar it runs (SIPSHIELD, as setup.sh documents), so the test does not rebuild the project.
 */
class QuickStartIT {
    static final Path EXAMPLES = Path.of(System.getProperty("user.dir")).resolve("../config/examples").normalize();

    @TempDir
    Path workingDirectory;

    @Test
    void everyExamplePassesCheckConfig() throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(examples.stream().anyMatch(f -> f.endsWith("office.yaml")) && examples.stream().anyMatch(f -> f.endsWith("lab.yaml")),
                examples.toString());
        for (Path example : examples) {
            ProcessOutput checked = ProcessOutput.run(List.of("java", "-jar", PackagedProxy.jar(), "check-config",
                    example.toString()), workingDirectory, 120);
            assertEquals(0, checked.exitCode(), example + ":\n" + checked.output());
            assertTrue(checked.output().startsWith(example + ": OK"), checked.output());
            assertTrue(!checked.output().toLowerCase().contains("warning"), "no warning in an example:\n" + checked.output());
        }
    }

    @Test
    void theQuickStartMakesAnSrtpCallBetweenTwoBaresipPhones() throws Exception {
        ProcessOutput setup = ProcessOutput.run(List.of("env", "SIPSHIELD=java -jar " + PackagedProxy.jar(),
                EXAMPLES.resolve("lab/setup.sh").toString()), workingDirectory, 120);
        assertEquals(0, setup.exitCode(), setup.output());
        assertTrue(setup.output().contains("sip-trust: ADDED CN=sipshield lab CA"), setup.output());

        try (PackagedProxy proxy = new PackagedProxy(workingDirectory, "--config", EXAMPLES.resolve("lab.yaml").toString())) {
            Process bob = baresip("bob", "-f", "lab-phones/bob", "-t", "60");
            try {
                proxy.awaitLog("registered SEPAAAA00002002 line 2002", 30);
                Process alice = baresip("alice", "-f", "lab-phones/alice", "-t", "15", "-e", "/dial 2002");
                assertTrue(alice.waitFor(40, TimeUnit.SECONDS), "alice's baresip ends by itself (-t 15)");
                String aliceOutput = output("alice");
                assertTrue(aliceOutput.contains("Call established: sip:2002@127.0.0.1:5071;transport=tls"), aliceOutput);
                assertTrue(aliceOutput.contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), aliceOutput);
                proxy.awaitLog("ended after", 20);
                String bobOutput = output("bob");
                assertTrue(bobOutput.contains("Call established: sip:2001@127.0.0.1"), bobOutput);
                assertTrue(bobOutput.contains("SRTP is Enabled (cryptosuite="), bobOutput);
                assertTrue(proxy.log().contains("(phone SEPAAAA00002001 -> phone SEPAAAA00002002): answered; security leg A "
                        + "Encrypted leg B Encrypted call Encrypted"), proxy.log());
            } finally {
                bob.destroy();
                if (!bob.waitFor(10, TimeUnit.SECONDS)) {
                    bob.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** baresip as the quick start runs it, from the working directory, its output kept in NAME.log. */
    private Process baresip(String name, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("baresip"));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true)
                .redirectOutput(workingDirectory.resolve(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private String output(String name) throws Exception {
        return Files.readString(workingDirectory.resolve(name + ".log"), StandardCharsets.ISO_8859_1);
    }
}
