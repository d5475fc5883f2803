package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the configuration loader (Jazzer). Under `mvn test` it replays its
 * seed inputs (src/test/resources/org/sipshield/config/ConfigLoaderFuzzTestInputs) as a
 * regression test; bench/robustness.sh runs it as a real fuzzer for a fixed time. Any text may
 * be refused, but only with a ConfigException that lists at least one problem.
 */
class ConfigLoaderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void anyTextIsLoadedOrRefusedWithProblems(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        try {
            ConfigLoader.parse(text, "fuzz.yaml");
        } catch (ConfigException refused) {
            assertFalse(refused.problems().isEmpty(), "a refusal must say what is wrong");
        }
    }
}
