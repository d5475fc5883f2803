package org.sipshield.proxy.transport;

import gov.nist.javax.sip.header.HeaderExt;
import javax.sip.header.Header;

/**
 * A header's value as the stack holds it, for the headers we hand on as text (credentials to
 * digest-auth's own parser, a User-Agent to the registrar's record). javax.sip's Header offers only
 * toString(), whose "Name: value CRLF" form invites slicing at the first colon; jain-sip's HeaderExt
 * gives the value itself.
 */
public final class HeaderValues {
    private HeaderValues() {}

    /** The value without the name, trimmed. */
    public static String of(Header header) {
        if (!(header instanceof HeaderExt stack)) {
            // Every header jain-sip parses is a HeaderExt; anything else did not come off the wire.
            throw new IllegalArgumentException("not a header of the SIP stack: " + header.getClass().getName());
        }
        return stack.getValue().trim();
    }
}
