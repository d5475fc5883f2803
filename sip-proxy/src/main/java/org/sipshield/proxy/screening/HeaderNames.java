package org.sipshield.proxy.screening;

import java.util.Map;

/** The SIP names of jain-sip's header classes, for reason phrases an operator can read. */
final class HeaderNames {
    private static final Map<String, String> NAMES = Map.ofEntries(Map.entry("RequestLine", "request line"),
            Map.entry("StatusLine", "status line"), Map.entry("ViaList", "Via"), Map.entry("CallID", "Call-ID"),
            Map.entry("ContentLength", "Content-Length"), Map.entry("MaxForwards", "Max-Forwards"),
            Map.entry("ContactList", "Contact"), Map.entry("ContentType", "Content-Type"));

    private HeaderNames() {}

    static String of(String jainSipClass) {
        return NAMES.getOrDefault(jainSipClass, jainSipClass);
    }
}
