package org.sipshield.proxy.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The shapes of jain-sip text the call test cannot produce with real peers: an SDP k= line, a
 * header quoted alone (as parse errors do), an exception whose message quotes a header.
 */
class LogRedactionTest {
    @Test
    void aKeyLineAHeaderQuotedAloneAndAnExceptionMessageAreRedacted() {
        String sdpAlone = "v=0\r\nk=base64:c2VjcmV0LWtleQ==\r\na=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:QUJDREVGR0g=|2^31|1:1\r\n";
        String redacted = LogRedaction.redact(sdpAlone);
        assertFalse(redacted.contains("c2VjcmV0LWtleQ=="), redacted);
        assertFalse(redacted.contains("QUJDREVGR0g="), redacted);
        assertTrue(redacted.contains("a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:"), "the suite stays readable: " + redacted);

        String header = "bad header: Proxy-Authorization: Digest username=\"a\", response=\"0123abcd\", cnonce=\"xyz9\"";
        redacted = LogRedaction.redact(header);
        assertFalse(redacted.contains("0123abcd") || redacted.contains("xyz9") || redacted.contains("username"), redacted);

        String unquoted = "params: response=0123abcd,cnonce=xyz9,nc=00000001";
        redacted = LogRedaction.redact(unquoted);
        assertFalse(redacted.contains("0123abcd") || redacted.contains("xyz9"), redacted);
        assertTrue(redacted.contains("nc=00000001"), redacted);

        Throwable exception = LogRedaction.redact(new java.text.ParseException("k=clear:hunter2", 0));
        assertFalse(exception.getMessage().contains("hunter2"), exception.getMessage());
        assertTrue(exception.getMessage().startsWith("java.text.ParseException"), exception.getMessage());
    }

    @Test
    void aWholeMessageKeepsItsHeadAndLosesItsBody() {
        String message = "INVITE sip:8100@127.0.0.1 SIP/2.0\r\nCall-ID: abc\r\nContent-Length: 12\r\n\r\nsecret-body!";
        String redacted = LogRedaction.redact("Processing:\n" + message + "\nSIP/2.0 200 OK\r\nCall-ID: abc\r\n\r\nother-body");
        assertFalse(redacted.contains("secret-body") || redacted.contains("other-body"), redacted);
        assertTrue(redacted.contains("Call-ID: abc") && redacted.contains("SIP/2.0 200 OK"), redacted);
    }
}
