package org.sipshield.proxy.registrar;

import static java.nio.charset.StandardCharsets.UTF_8;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import javax.sip.PeerUnavailableException;
import javax.sip.SipFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;

/** Real jain-sip factories, and REGISTER requests parsed from text the way the stack parses them. */
final class SipMessages {
    static final MessageFactory MESSAGES;
    static final HeaderFactory HEADERS;

    static {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        try {
            MESSAGES = factory.createMessageFactory();
            HEADERS = factory.createHeaderFactory();
        } catch (PeerUnavailableException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private SipMessages() {}

    static RegisterBuilder register(String directoryNumber) {
        return new RegisterBuilder(directoryNumber);
    }

    /**
     * Parses like jain-sip's message channels do: a bad essential header fails the message, any
     * other bad header is kept aside as unparsed rather than failing it.
     */
    static Request parse(String text) {
        try {
            return (Request) new StringMsgParser().parseSIPMessage(text.getBytes(UTF_8), true, false,
                    (exception, message, headerClass, header, raw) -> {
                        if (headerClass == null || List.of(From.class, To.class, CSeq.class, Via.class, CallID.class,
                                RequestLine.class).contains(headerClass)) {
                            throw exception;
                        }
                        message.addUnparsed(header);
                    });
        } catch (ParseException e) {
            throw new IllegalArgumentException("test REGISTER does not parse: " + e.getMessage(), e);
        }
    }

    static final class RegisterBuilder {
        private final String directoryNumber;
        private String callId = "reg-1@192.168.1.10";
        private long cseq = 1;
        private final List<String> headers = new ArrayList<>();

        private RegisterBuilder(String directoryNumber) {
            this.directoryNumber = directoryNumber;
        }

        RegisterBuilder callId(String value) {
            callId = value;
            return this;
        }

        RegisterBuilder cseq(long value) {
            cseq = value;
            return this;
        }

        RegisterBuilder contact(String value) {
            return header("Contact: " + value);
        }

        RegisterBuilder expires(long seconds) {
            return header("Expires: " + seconds);
        }

        RegisterBuilder header(String line) {
            headers.add(line);
            return this;
        }

        String text() {
            StringBuilder text = new StringBuilder()
                    .append("REGISTER sip:sipshield.example.com SIP/2.0\r\n")
                    .append("Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK-").append(callId.hashCode())
                    .append('-').append(cseq).append("\r\n")
                    .append("Max-Forwards: 70\r\n")
                    .append("From: <sip:").append(directoryNumber).append("@sipshield.example.com>;tag=f1\r\n")
                    .append("To: <sip:").append(directoryNumber).append("@sipshield.example.com>\r\n")
                    .append("Call-ID: ").append(callId).append("\r\n")
                    .append("CSeq: ").append(cseq).append(" REGISTER\r\n");
            for (String header : headers) {
                text.append(header).append("\r\n");
            }
            return text.append("Content-Length: 0\r\n\r\n").toString();
        }

        Request build() {
            return parse(text());
        }
    }
}
