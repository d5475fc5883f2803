package org.sipshield.proxy.screening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The header rules on one request each: what RFC 4475 3.1.2 breaks is refused with a reason
 * naming the header, and the legitimate forms next to it (quoted names with commas, brackets and
 * escaped quotes, compact names, folded lines, several contacts) pass.
 */
class HeaderSyntaxRulesTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "From: \"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=43",
            "From: \"the \\\"<inventor>\\\", too\" <sip:a@example.com>;tag=1",
            "f: Bell.Alexander <sip:a@example.com>;tag=1",
            "From: sip:caller@example.net;tag=1",
            "To: <sip:user@example.com>",
            "t: sip:user@example.com",
            "Contact: *",
            "Contact: <sip:a@example.com?Subject=hi>;expires=60, \"B, C\" <sip:b@example.com>",
            "m: <sip:a@example.com>;+sip.instance=\"<urn:uuid:0001>\"",
            "Contact: <sip:a@example.com>\r\n  ;expires=60",
            "Date: Sat, 13 Nov 2010 23:29:00 GMT",
    })
    void legitimateFormsPass(String header) {
        assertEquals(Optional.empty(), HeaderSyntaxRules.check(request(header)), header);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "To: \"Mr. J. User <sip:j.user@example.com>|unterminated quoted string in To",
            "To: \"Watson, Thomas\" < sip:t.watson@example.org >|spaces within the addr-spec of To",
            "f: Bell, Alexander <sip:a.g.bell@example.com>;tag=43|non-token characters in From",
            "Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E|Contact URI with headers outside <>",
            "m: <sip:a@example.com|unclosed <> in Contact",
            "Date: Fri, 01 Jan 2010 16:00:00 EST|Date not an RFC 1123 date in GMT",
            "Date: Fri, 01 Jan 2010 16:00:00 UT|Date not an RFC 1123 date in GMT",
    })
    void whatRfc4475BreaksIsRefused(String header, String reason) {
        Optional<Rejection> rejection = HeaderSyntaxRules.check(request(header));
        assertTrue(rejection.isPresent(), header);
        assertEquals(400, rejection.get().status());
        assertTrue(rejection.get().reason().contains(reason), rejection.get().reason());
    }

    private static RawHeaders request(String header) {
        return RawHeaders.of(("OPTIONS sip:user@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                + header + "\r\n"
                + "Call-ID: rules\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }
}
