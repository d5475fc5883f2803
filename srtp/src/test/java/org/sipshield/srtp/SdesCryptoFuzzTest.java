package org.sipshield.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the SDES a=crypto parser (Jazzer): an offer's crypto lines come
 * from whoever sends us SDP. Under `mvn test` the seed inputs are replayed; bench/robustness.sh
 * fuzzes for a fixed time. Any line is accepted or refused with a reason, never an exception;
 * an accepted one survives a round trip through its canonical form, and no key reaches a
 * toString or a refusal's detail.
 */
class SdesCryptoFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void anyLineIsParsedOrRefusedWithAReason(byte[] input) {
        String line = new String(input, StandardCharsets.UTF_8);
        SdesParseResult result = SdesCryptoAttribute.parse(line);
        assertNotNull(result.detail());
        if (!result.isAccepted()) {
            assertTrue(result.rejection().isPresent(), result.toString());
            return;
        }
        SdesCryptoAttribute attribute = result.attribute();
        String canonical = attribute.toSdpLine();
        SdesParseResult again = SdesCryptoAttribute.parse(canonical);
        assertTrue(again.isAccepted(), "our own canonical line is refused: " + again);
        assertEquals(canonical, again.attribute().toSdpLine());
        String inline = canonical.substring(canonical.indexOf("inline:") + "inline:".length()).split("[|; ]")[0];
        assertFalse(attribute.toString().contains(inline), "toString shows the key");
    }
}
