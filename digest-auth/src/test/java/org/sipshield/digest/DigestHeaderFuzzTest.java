package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the digest header parsers (Jazzer). Under `mvn test` each method
 * replays its seed inputs (src/test/resources/org/sipshield/digest/DigestHeaderFuzzTestInputs)
 * as a regression test; bench/robustness.sh runs them as real fuzzers for a fixed time.
 * Any input may be refused, but only with DigestParseException, and whatever is accepted must
 * survive a round trip through its own header form.
 */
class DigestHeaderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void authorizationHeader(byte[] input) {
        String value = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        DigestAuthorization parsed;
        try {
            parsed = DigestAuthorization.parse(value);
        } catch (DigestParseException refused) {
            assertNotNull(refused.getMessage());
            return;
        }
        assertNotNull(parsed.username());
        // toString must not depend on the response: the same credentials with another response print alike
        String header = parsed.toHeaderValue();
        String responseParam = "response=\"" + parsed.response() + "\"";
        String other = parsed.response().chars().allMatch(c -> c == '0') ? "1" : "0";
        String otherResponse = "response=\"" + other.repeat(Math.max(1, parsed.response().length())) + "\"";
        try {
            DigestAuthorization twin = DigestAuthorization.parse(header.replace(responseParam, otherResponse));
            assertEquals(parsed.toString(), twin.toString(), "toString shows the digest response");
        } catch (DigestParseException e) {
            // the other response is not valid for these parameters: nothing to compare
        }
        try {
            assertEquals(parsed.toHeaderValue(), DigestAuthorization.parse(parsed.toHeaderValue()).toHeaderValue());
        } catch (DigestParseException e) {
            throw new AssertionError("accepted credentials do not parse again from their own header form: "
                    + parsed.toHeaderValue(), e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void challengeHeader(byte[] input) {
        String value = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        DigestChallenge parsed;
        try {
            parsed = DigestChallenge.parse(value);
        } catch (DigestParseException refused) {
            assertNotNull(refused.getMessage());
            return;
        }
        DigestChallenge again;
        try {
            again = DigestChallenge.parse(parsed.toHeaderValue());
        } catch (DigestParseException e) {
            throw new AssertionError("an accepted challenge does not parse again from its own header form: "
                    + parsed.toHeaderValue(), e);
        }
        assertEquals(parsed.toHeaderValue(), again.toHeaderValue());
    }
}
