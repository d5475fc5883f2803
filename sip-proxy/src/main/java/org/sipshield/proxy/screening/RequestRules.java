package org.sipshield.proxy.screening;

import gov.nist.javax.sip.message.SIPRequest;
import java.util.Optional;
import java.util.Set;
import javax.sip.address.URI;

/**
 * Checks on a parsed request that jain-sip lets through: RFC 3261 8.2.2 says what a UAS answers
 * to a request it cannot take (416 for a Request-URI scheme it does not know, 505 for another
 * SIP version, 400 when CSeq names another method than the request line).
 */
final class RequestRules {
    private static final Set<String> SCHEMES = Set.of("sip", "sips", "tel");

    private RequestRules() {}

    static boolean hasWhatAResponseNeeds(SIPRequest request) {
        return request.getTopmostVia() != null && request.getFrom() != null && request.getTo() != null
                && request.getCallId() != null && request.getCSeq() != null;
    }

    /** Empty when the request may go on to the transaction layer. */
    static Optional<Rejection> check(SIPRequest request) {
        if (!hasWhatAResponseNeeds(request)) {
            // a response could carry nothing the client could match it with (RFC 3261 8.2.6.2)
            return Optional.of(Rejection.drop("a mandatory header (Via, From, To, Call-ID, CSeq) is missing"));
        }
        String version = request.getRequestLine().getSipVersion();
        if (!"SIP/2.0".equals(version)) {
            return Optional.of(new Rejection(505, "Version Not Supported"));
        }
        URI uri = request.getRequestURI();
        if (uri == null || !SCHEMES.contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            return Optional.of(new Rejection(416, "Unsupported URI Scheme"));
        }
        if (!request.getMethod().equals(request.getCSeq().getMethod())) {
            return Optional.of(Rejection.badRequest("CSeq method does not match the request method"));
        }
        return Optional.empty();
    }
}
