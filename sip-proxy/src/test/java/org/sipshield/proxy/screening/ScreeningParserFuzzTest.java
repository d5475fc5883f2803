package org.sipshield.proxy.screening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Coverage-guided fuzzing (Jazzer) of screening, the parser every message meets first (raw rules,
 * header syntax rules, jain-sip's parser behind them, the request rules). Any bytes give nothing
 * (dropped), a response, a request that passes every rule, or the carrier of a refusal, never an
 * exception. A refusal is 400, 416 or 505 and the answer we would send is a well-formed response
 * the peer cannot write into: one line per header, exactly one From, To, Call-ID, CSeq and
 * Content-Length: 0, no body, no control character, our own reason phrase. `mvn test` replays the
 * seeds; bench/robustness.sh fuzzes for 60 s.
 */
class ScreeningParserFuzzTest {
    private static final List<String> ONCE = List.of("from", "to", "call-id", "cseq", "content-length");

    static {
        // jain-sip's parser logs through the stack's logger; without a stack it would look for log4j
        gov.nist.core.CommonLogger.legacyLogger = new org.sipshield.proxy.transport.JainSipLogger();
        gov.nist.core.CommonLogger.useLegacyLogger = true;
    }

    @FuzzTest(maxDuration = "60s")
    void anyBytesAreDroppedPassedOrAnsweredSafely(byte[] bytes) throws Exception {
        SIPMessage message = new ScreeningMessageParser(new StringMsgParser()).parseSIPMessage(bytes, true, false, null);
        if (message == null || message instanceof SIPResponse) {
            return;
        }
        assertTrue(message instanceof SIPRequest, "neither request nor response: " + message.getClass());
        SIPRequest request = (SIPRequest) message;
        if (!(request.getApplicationData() instanceof ScreeningAnswer answer)) {
            assertEquals(Optional.empty(), RequestRules.check(request), "a request that breaks a rule went on");
            assertEquals(Optional.empty(), RawMessageRules.check(bytes), "a message that breaks a raw rule went on");
            return;
        }
        assertTrue(List.of(400, 416, 505).contains(answer.status()), "answered " + answer.status());
        String text = new String(answer.bytes(), StandardCharsets.ISO_8859_1);
        assertTrue(text.endsWith("\r\n\r\n"), "the answer has a body or no end: " + text);
        String[] lines = text.substring(0, text.length() - 4).split("\r\n", -1);
        assertEquals("SIP/2.0 " + answer.status() + " " + answer.reason(), lines[0]);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            assertTrue(line.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f), "a control character in " + line);
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "not a header line: " + line);
            counts.merge(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
        }
        for (String name : ONCE) {
            assertEquals(1, counts.getOrDefault(name, 0), name + " in the answer:\n" + text);
        }
        assertTrue(text.contains("\r\nContent-Length: 0\r\n"), text);
        assertTrue(counts.getOrDefault("via", 0) >= 1, "an answer without Via: " + text);
        assertFalse(answer.reason().chars().anyMatch(c -> c < 0x20 || c >= 0x7f), "reason " + answer.reason());
        SIPMessage reread = new StringMsgParser().parseSIPMessage(answer.bytes(), true, false, null);
        assertTrue(reread instanceof SIPResponse response && response.getStatusCode() == answer.status(),
                "our answer does not read as a " + answer.status() + ": " + text);
    }
}
