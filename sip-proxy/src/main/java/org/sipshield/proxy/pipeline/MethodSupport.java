package org.sipshield.proxy.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import javax.sip.header.RequireHeader;

/**
 * A method we do not implement gets 501 (RFC 3261 8.2.1); an extension the request Requires that
 * we do not implement gets 420 with Unsupported (RFC 3261 8.2.2.3).
 */
public final class MethodSupport implements PipelineStep {
    @Override
    public Verdict apply(InboundRequest inbound) {
        if (!SipMethods.KNOWN.contains(inbound.method())) {
            return Verdict.respond(501, "Not Implemented");
        }
        List<String> unsupported = new ArrayList<>();
        ListIterator<?> required = inbound.request().getHeaders(RequireHeader.NAME);
        while (required != null && required.hasNext()) {
            String tag = ((RequireHeader) required.next()).getOptionTag();
            if (!SipMethods.SUPPORTED_EXTENSIONS.contains(tag.toLowerCase(Locale.ROOT))) {
                unsupported.add(tag);
            }
        }
        return unsupported.isEmpty() ? Verdict.proceed()
                : Verdict.respond(420, "Bad Extension", List.of(Map.entry("Unsupported", String.join(", ", unsupported))));
    }
}
