package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * Debian's sipvicious scanners against a real proxy on 127.0.0.1: svmap finds nothing when the
 * unknown-source policy is DROP (and finds the proxy when it is REJECT_403, so the test can
 * fail), svwar enumerates no extension under either policy, svcrack is stopped by the brute-force guard before it
 * reaches the password it would otherwise find.
 */
class SipViciousScannerTest {
    static final String PASSWORD = "1037";

    @TempDir
    Path dataDirectory;

    static String model(String unknownSource) {
        String ha1 = DigestChecksum.compute(DigestAlgorithm.MD5, "2001", "ccmsipline", PASSWORD.toCharArray())
                .toStoredForm().substring(4);
        return """
                security:
                  unknownSource: %s
                  digestFailureLimit: 5
                  blockedSource: DROP
                phoneSecurityProfiles:
                  - name: Digest Phone Profile
                    deviceSecurityMode: Non Secure
                    transportType: TCP+UDP
                    enableDigestAuthentication: true
                endUsers:
                  - userId: "2001"
                    digestCredentials: {MD5: %s}
                phones:
                  - deviceName: SEP000000002001
                    securityProfile: Digest Phone Profile
                    digestUser: "2001"
                    lines: ["2001"]
                """.formatted(unknownSource, ha1);
    }

    @Test
    void svmapSeesNothingWhenUnknownSourcesAreDroppedAndSeesTheProxyOtherwise() throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory.resolve("drop"), model("DROP"))) {
            ProcessOutput scan = svmap(proxy.sipPort);
            assertFalse(scan.output().contains("127.0.0.1:" + proxy.sipPort), scan.output());
        }
        try (RunningProxy proxy = new RunningProxy(dataDirectory.resolve("reject"), model("REJECT_403"))) {
            ProcessOutput scan = svmap(proxy.sipPort);
            assertTrue(scan.output().contains("127.0.0.1:" + proxy.sipPort), "the control scan must find the proxy: "
                    + scan.output());
        }
    }

    @ParameterizedTest(name = "unknownSource {0}")
    @ValueSource(strings = {"DROP", "REJECT_403"})
    void svwarFindsNoExtensionWithRegisterInviteOrOptions(String unknownSource) throws Exception {
        try (RunningProxy proxy = new RunningProxy(dataDirectory, model(unknownSource))) {
            for (String method : List.of("REGISTER", "INVITE", "OPTIONS")) {
                ProcessOutput scan = svwar(proxy.sipPort, method);
                assertEquals(Set.of(), extensionsFound(scan), method + ":\n" + scan.output());
                // forced past its sanity check, it must see every number answered alike: all or none
                ProcessOutput forced = svwar(proxy.sipPort, method, "--force");
                Set<String> found = extensionsFound(forced);
                assertTrue(found.isEmpty() || found.size() == 16, method + " told numbers apart: " + found + "\n"
                        + forced.output());
            }
        }
    }

    /**
     * What svwar relies on, checked directly (svwar's own heuristics give up on some answer
     * patterns without reporting anything): an existing number and a non-existing one get the
     * same status and the same challenge, apart from the nonce.
     */
    @ParameterizedTest(name = "unknownSource {0}")
    @ValueSource(strings = {"DROP", "REJECT_403"})
    void existingAndNonExistingNumbersGetTheSameAnswer(String unknownSource) throws Exception {
        try (SecurityLog log = new SecurityLog();
                RunningProxy proxy = new RunningProxy(dataDirectory, model(unknownSource));
                UdpSipClient scanner = new UdpSipClient("127.0.0.1", "127.0.0.1", proxy.sipPort)) {
            int cseq = 1;
            for (String method : List.of("REGISTER", "INVITE", "OPTIONS")) {
                String existing = answerShape(scanner, method, "2001", cseq++);
                String missing = answerShape(scanner, method, "2002", cseq++);
                assertEquals(existing, missing, method + ": the answer tells 2001 (exists) from 2002 (does not)");
            }
            // the operator still sees the probe for what it is
            assertFalse(log.lines("unknown-source src=127.0.0.1").isEmpty(), log.lines("").toString());
            if (unknownSource.equals("REJECT_403")) {
                assertFalse(log.lines("method=INVITE answer=challenge").isEmpty(), log.lines("").toString());
            }
        }
    }

    /** The status line and the challenge without its nonce, or "(no answer ...)". */
    private static String answerShape(UdpSipClient client, String method, String number, int cseq) throws Exception {
        String answer = client.exchange(client.request(method, "sip:" + number + "@127.0.0.1", number, number,
                "enum-" + method + "-" + number, cseq, ""));
        String challenge = UdpSipClient.header(answer, method.equals("REGISTER") ? "WWW-Authenticate" : "Proxy-Authenticate");
        return answer.lines().findFirst().orElse("") + " | "
                + (challenge == null ? "" : challenge.replaceAll("nonce=\"[^\"]*\"", "nonce=*"));
    }

    private static ProcessOutput svwar(int port, String method, String... extra) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("svwar", "-m", method, "-e", "1995-2010", "-p",
                Integer.toString(port), "-t", "0.05", "--maximumtime=3"));
        command.addAll(List.of(extra));
        command.add("127.0.0.1");
        return run(command.toArray(String[]::new));
    }

    /** The extensions of svwar's result table ("| 2001 | reqauth |"). */
    private static Set<String> extensionsFound(ProcessOutput scan) {
        Set<String> found = new java.util.TreeSet<>();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\|\\s*(\\d+)\\s*\\|\\s*(\\w+)\\s*\\|").matcher(scan.output());
        while (row.find()) {
            found.add(row.group(1));
        }
        return found;
    }

    @Test
    void svcrackIsBlockedAfterTheConfiguredFailuresBeforeReachingThePassword() throws Exception {
        try (SecurityLog log = new SecurityLog();
                RunningProxy proxy = new RunningProxy(dataDirectory.resolve("guarded"), model("DROP"))) {
            ProcessOutput crack = svcrack(proxy.sipPort);
            assertFalse(crack.output().contains(PASSWORD), "svcrack found the password:\n" + crack.output());
            assertFalse(log.lines("digest-auth-blocked src=127.0.0.1").isEmpty(), "no blocking event: " + log.lines(""));
        }
        // the control: with a limit it never reaches, svcrack does find the password
        try (RunningProxy proxy = new RunningProxy(dataDirectory.resolve("unguarded"),
                model("DROP").replace("digestFailureLimit: 5", "digestFailureLimit: 1000"))) {
            ProcessOutput crack = svcrack(proxy.sipPort);
            assertTrue(crack.output().contains(PASSWORD), "the control crack must succeed:\n" + crack.output());
        }
    }

    private static ProcessOutput svcrack(int port) throws Exception {
        return run("svcrack", "-u", "2001", "-r", "1000-1040", "-p", Integer.toString(port), "127.0.0.1");
    }

    private static ProcessOutput svmap(int port) throws Exception {
        return run("svmap", "-p", Integer.toString(port), "-t", "0.05", "127.0.0.1");
    }

    private static ProcessOutput run(String... command) throws Exception {
        Path work = Files.createTempDirectory("sipvicious");
        // sipvicious keeps sessions under $HOME/.sipvicious: one fresh home per run
        List<String> withHome = new java.util.ArrayList<>(List.of("env", "HOME=" + work));
        withHome.addAll(List.of(command));
        return ProcessOutput.run(withHome, work, 60);
    }
}
