package org.sipshield.proxy.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sip.address.SipURI;
import javax.sip.message.Request;

/**
 * An OPTIONS keepalive or health check addressed to the proxy itself (no user part) is answered
 * 200 here, after classification and before any ACL or challenge: keepalives are never challenged.
 * Who gets this far is classification's decision: with unknownSource DROP only known peers;
 * with REJECT_403 anyone (the proxy answers strangers anyway, so a health check just works).
 */
public final class PingAnswer implements PipelineStep {
    private final List<Map.Entry<String, String>> headers;

    public PingAnswer(String userAgent) {
        List<Map.Entry<String, String>> all = new ArrayList<>();
        for (String method : SipMethods.allowHeaderValue().split(",\\s*")) {
            all.add(Map.entry("Allow", method)); // jain-sip builds a list header one value at a time
        }
        all.add(Map.entry("Accept", "application/sdp"));
        all.add(Map.entry("User-Agent", userAgent));
        this.headers = List.copyOf(all);
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        return isPing(inbound.request()) ? Verdict.respond(200, "OK", headers) : Verdict.proceed();
    }

    static boolean isPing(Request request) {
        return Request.OPTIONS.equals(request.getMethod())
                && (!(request.getRequestURI() instanceof SipURI uri) || uri.getUser() == null);
    }
}
