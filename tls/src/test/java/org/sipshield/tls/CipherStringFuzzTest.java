package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of cipher strings: an operator types them, check-config and a
 * reload parse them, so any text must be expanded or refused with {@link InvalidCipherStringException}
 * naming the problem, never another exception. An expansion keeps TLS 1.3 suites apart from the
 * others, holds each suite once and only suites we know, and is a fixed point: its own names,
 * written out as a string, expand to the same suites in the same order. `mvn test` replays the
 * seeds; bench/robustness.sh fuzzes for 60 s.
 */
class CipherStringFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void anyStringIsExpandedOrRefusedWithAProblem(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        CipherString parsed;
        try {
            parsed = CipherString.parse(text);
        } catch (InvalidCipherStringException refused) {
            assertFalse(refused.problem() == null || refused.problem().isBlank(), "a refusal without a problem");
            assertEquals(String.valueOf(text), refused.cipherString());
            return;
        }
        assertFalse(parsed.suites().isEmpty() && parsed.tls13Suites().isEmpty(), "an expansion with no suite");
        assertEquals(text, parsed.text());
        parsed.suites().forEach(s -> assertFalse(s.isTls13(), "a TLS 1.3 suite among the others: " + s));
        parsed.tls13Suites().forEach(s -> assertTrue(s.isTls13(), "not a TLS 1.3 suite: " + s));
        List<CipherSuite> all = new ArrayList<>(parsed.tls13Suites());
        all.addAll(parsed.suites());
        assertEquals(all.size(), new HashSet<>(all).size(), "a suite twice in " + all);
        for (CipherSuite suite : all) {
            assertTrue(CipherSuiteCatalog.all().contains(suite) || CipherSuiteCatalog.tls13().contains(suite),
                    "a suite we do not know: " + suite);
        }

        List<String> names = new ArrayList<>();
        all.forEach(s -> names.add(s.opensslName()));
        CipherString again = CipherString.parse(String.join(":", names));
        assertEquals(parsed.suites(), again.suites(), "the expansion's own names expand differently");
        assertEquals(parsed.tls13Suites(), again.tls13Suites(), "the expansion's own TLS 1.3 names expand differently");
    }
}
