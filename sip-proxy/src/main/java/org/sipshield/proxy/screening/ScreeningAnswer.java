package org.sipshield.proxy.screening;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipshield.proxy.transport.SipIdentifiers;

/**
 * The response to a refused request, written from the request's own Via, From, To, Call-ID and
 * CSeq text (RFC 3261 8.2.6.2) rather than from jain-sip's parse of them: RFC 4475 3.1.2 wants a
 * 400 even when one of those is the broken part (an unterminated quote in To, a CSeq number no
 * integer holds, separators without parameters in Via). Only the top Via's sent-by must be
 * readable, since the answer goes where RFC 3261 18.2.2 sends any response.
 *
 * <p>jain-sip runs the valve only for a request it parsed, and answers some requests itself
 * before that (a CSeq method mismatch, another SIP version): so what it is handed is a stand-in
 * (the carrier) that routes like the refused request and carries this answer to
 * {@link ScreeningValve}, which decides whether the source gets it.
 */
record ScreeningAnswer(int status, String reason, byte[] bytes) {
    /** SIP-Version / transport, then sent-by: host or [IPv6], optional port. */
    private static final Pattern TOP_VIA = Pattern.compile(
            "SIP\\s*/\\s*\\d+\\.\\d+\\s*/\\s*([A-Za-z]+)\\s+(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+)(?:\\s*:\\s*(\\d{1,5}))?");
    private static final Pattern RPORT = Pattern.compile(";\\s*rport\\s*(?:[=;]|$)", Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile(";\\s*tag\\s*=", Pattern.CASE_INSENSITIVE);
    private static final List<String> TRANSPORTS = List.of("UDP", "TCP", "TLS", "SCTP");
    private static final AtomicLong CARRIERS = new AtomicLong();

    /**
     * The carrier of the answer to this refused request, or empty when none can be written: a
     * header the answer must copy is missing or holds a control character (copying it would let
     * the peer write our response), no sent-by can be read, or it is an ACK (never answered).
     */
    static Optional<SIPRequest> carrier(byte[] message, Rejection rejection) {
        RawHeaders raw = RawHeaders.of(message);
        if (raw.startLine().startsWith("ACK ") || raw.startLine().startsWith("SIP/")) {
            return Optional.empty();
        }
        List<String> vias = raw.values("via");
        String from = raw.first("from");
        String to = raw.first("to");
        String callId = raw.first("call-id");
        String cseq = raw.first("cseq");
        if (vias.isEmpty() || from == null || to == null || callId == null || cseq == null) {
            return Optional.empty();
        }
        Matcher top = TOP_VIA.matcher(vias.get(0));
        if (!top.lookingAt() || !copyable(vias) || !copyable(List.of(from, to, callId, cseq))) {
            return Optional.empty();
        }
        StringBuilder answer = new StringBuilder(256).append("SIP/2.0 ").append(rejection.status()).append(' ')
                .append(rejection.reason()).append("\r\n");
        for (String via : vias) {
            answer.append("Via: ").append(via).append("\r\n");
        }
        answer.append("From: ").append(from).append("\r\n")
                .append("To: ").append(to).append(TAG.matcher(to).find() ? "" : ";tag=" + SipIdentifiers.tag()).append("\r\n")
                .append("Call-ID: ").append(callId).append("\r\n")
                .append("CSeq: ").append(cseq).append("\r\n")
                .append("Content-Length: 0\r\n\r\n");
        ScreeningAnswer screeningAnswer = new ScreeningAnswer(rejection.status(), rejection.reason(),
                answer.toString().getBytes(StandardCharsets.ISO_8859_1));
        String topVia = vias.get(0);
        int comma = topVia.indexOf(',');
        boolean rport = RPORT.matcher(comma < 0 ? topVia : topVia.substring(0, comma)).find();
        return standIn(top, rport).map(carrier -> {
            carrier.setApplicationData(screeningAnswer);
            return carrier;
        });
    }

    /** A request jain-sip takes without a word, whose Via routes the answer as the refused request's would. */
    private static Optional<SIPRequest> standIn(Matcher topVia, boolean rport) {
        String transport = topVia.group(1).toUpperCase(java.util.Locale.ROOT);
        String sentBy = topVia.group(2) + (topVia.group(3) == null ? "" : ":" + topVia.group(3));
        String text = "OPTIONS sip:screening.invalid SIP/2.0\r\n"
                + "Via: SIP/2.0/" + (TRANSPORTS.contains(transport) ? transport : "UDP") + " " + sentBy
                + (rport ? ";rport" : "") + ";branch=z9hG4bK-screening-" + CARRIERS.incrementAndGet() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:screening.invalid>;tag=screening\r\n"
                + "To: <sip:screening.invalid>\r\n"
                + "Call-ID: screening-" + CARRIERS.get() + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        try {
            SIPMessage parsed = new StringMsgParser().parseSIPMessage(text.getBytes(StandardCharsets.ISO_8859_1), true, false, null);
            return parsed instanceof SIPRequest request ? Optional.of(request) : Optional.empty();
        } catch (ParseException | RuntimeException e) {
            return Optional.empty(); // a sent-by jain-sip cannot take: nowhere to answer
        }
    }

    private static boolean copyable(List<String> values) {
        for (String value : values) {
            if (value.isEmpty()) {
                return false;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The answer as jain-sip's channels send it: our bytes as they are, whatever the message's parsed fields. */
    SIPResponse asResponse() {
        SIPResponse response = new SIPResponse() {
            @Override
            public byte[] encodeAsBytes(String transport) {
                return bytes.clone();
            }

            @Override
            public String encode() {
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
        };
        try {
            response.setStatusCode(status);
        } catch (ParseException e) {
            throw new IllegalArgumentException("status " + status, e);
        }
        response.setReasonPhrase(reason);
        return response;
    }
}
