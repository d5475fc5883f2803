package org.sipshield.proxy.pipeline;

import java.net.InetSocketAddress;
import java.text.ParseException;
import java.time.Clock;
import javax.sip.SipFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.security.TestModels;

/**
 * What a pipeline step's unit test needs, without a running stack: a security model built from
 * YAML as the server builds it, and requests parsed by jain-sip's own parser from text, seen as
 * having arrived from a given address over a given transport.
 */
final class StepFixture {
    static final Clock CLOCK = TestModels.CLOCK;
    private static final MessageFactory MESSAGES;

    static {
        try {
            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            MESSAGES = factory.createMessageFactory();
        } catch (javax.sip.PeerUnavailableException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private StepFixture() {}

    static SecurityModel model(String yaml) throws Exception {
        return TestModels.model(yaml);
    }

    static String ha1(String user, String realm, String password) {
        return TestModels.ha1(user, realm, password);
    }

    /** A request with the headers every request has; extra lines (CRLF-terminated) go before Content-Length. */
    static String text(String method, String requestUri, String fromUser, String toTag, String extra) {
        return method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-unit-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + fromUser + "@192.0.2.1>;tag=from-1\r\n"
                + "To: <sip:8100@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: unit-" + System.nanoTime() + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + extra
                + "Content-Length: 0\r\n\r\n";
    }

    static InboundRequest arriving(String text, Transport transport, String sourceIp) throws ParseException {
        return arriving(text, transport, sourceIp, InboundRequest.Tls.NONE);
    }

    /** tls: the chain and suite the connection showed. */
    static InboundRequest arriving(String text, Transport transport, String sourceIp, InboundRequest.Tls tls)
            throws ParseException {
        Request request = MESSAGES.createRequest(text);
        return new InboundRequest(request, null, null, null, transport, transport == Transport.TLS ? 5061 : 5060,
                new InetSocketAddress(sourceIp, 5070), () -> tls);
    }

    static InboundRequest arriving(String method, String fromUser, String sourceIp) throws ParseException {
        return arriving(text(method, "sip:8100@127.0.0.1", fromUser, null, ""), Transport.UDP, sourceIp);
    }
}
