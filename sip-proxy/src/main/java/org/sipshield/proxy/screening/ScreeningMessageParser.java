package org.sipshield.proxy.screening;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import java.text.ParseException;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parser jain-sip uses for every message on every transport (stack property
 * gov.nist.javax.sip.MESSAGE_PARSER_FACTORY): one place where a malformed message is refused
 * before a transaction exists. A request that can be answered (its Via has a readable sent-by;
 * From, To, Call-ID and CSeq are there, however broken) gets 400 (or 416, 505) with a reason
 * naming the problem; anything else, and every malformed response, is dropped. jain-sip's own
 * answer to what it cannot parse is never sent: it copies the whole offending request into the
 * body of its 400 (a reflector for spoofed UDP).
 */
final class ScreeningMessageParser implements MessageParser {
    private static final Logger LOG = LoggerFactory.getLogger(ScreeningMessageParser.class);
    /** Headers whose damage makes the message unusable; others are kept aside as jain-sip does. */
    private static final Set<String> ESSENTIAL = Set.of("RequestLine", "StatusLine", "Via", "ViaList", "From", "To",
            "CallID", "CSeq", "ContentLength", "MaxForwards", "Contact", "ContactList", "ContentType");

    private final MessageParser delegate;

    ScreeningMessageParser(MessageParser delegate) {
        this.delegate = delegate;
    }

    @Override
    public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict, ParseExceptionListener listener)
            throws ParseException {
        if (isKeepalive(bytes)) {
            return delegate.parseSIPMessage(bytes, readBody, strict, listener);
        }
        Optional<Rejection> rejection = RawMessageRules.check(bytes);
        SIPMessage message = null;
        if (rejection.isEmpty()) {
            StrictListener essential = new StrictListener();
            try {
                message = delegate.parseSIPMessage(bytes, readBody, strict, essential);
            } catch (ParseException | RuntimeException e) {
                rejection = Optional.of(Rejection.badRequest(essential.damaged == null ? "unparseable message"
                        : "malformed " + essential.damaged + " header"));
            }
            if (message == null && rejection.isEmpty()) {
                return null;
            }
            if (message instanceof SIPResponse) {
                return message;
            }
            if (message instanceof SIPRequest request) {
                rejection = RequestRules.check(request);
                if (rejection.isEmpty()) {
                    return message;
                }
            }
        }
        return refuse(bytes, rejection.get()); // null: jain-sip's "nothing to process" on UDP and TCP alike
    }

    /**
     * A request that can be answered goes on to {@link ScreeningValve} as the carrier of its
     * answer: the valve runs once jain-sip knows the peer, so the answer goes back the way a
     * normal response would (the same connection, or the Via's received/rport). Everything else: null.
     */
    private static SIPMessage refuse(byte[] bytes, Rejection rejection) {
        Optional<SIPRequest> carrier = rejection.isDrop() ? Optional.empty() : ScreeningAnswer.carrier(bytes, rejection);
        if (carrier.isEmpty()) {
            LOG.debug("dropped a malformed message: {}", rejection.reason());
            return null;
        }
        return carrier.get();
    }

    private static boolean isKeepalive(byte[] bytes) {
        for (byte b : bytes) {
            if (b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Fails the parse on damage to an essential header and remembers which. */
    private static final class StrictListener implements ParseExceptionListener {
        String damaged;

        @Override
        public void handleException(ParseException e, SIPMessage message, Class headerType, String header, String text)
                throws ParseException {
            String type = headerType == null ? null : headerType.getSimpleName();
            if (type == null || ESSENTIAL.contains(type)) {
                if (damaged == null) {
                    damaged = type == null ? null : HeaderNames.of(type);
                }
                throw e;
            }
            message.addUnparsed(header);
        }
    }
}
