package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import org.sipshield.config.Transport;
import org.sipshield.proxy.transport.PhoneFlows;

/**
 * The factories and the listening points of the stack, and the few message-building helpers
 * both legs use: our own Contact per transport, fresh tags, SDP bodies.
 */
public final class SipMessaging {
    final MessageFactory messages;
    final HeaderFactory headers;
    final AddressFactory addresses;
    private final Map<Transport, SipProvider> providers = new EnumMap<>(Transport.class);
    private final String hostName;
    final PhoneFlows flows;

    public SipMessaging(MessageFactory messages, HeaderFactory headers, AddressFactory addresses,
            List<SipProvider> allProviders, String hostName) {
        this(messages, headers, addresses, allProviders, hostName, new PhoneFlows());
    }

    /** flows: the legs to TCP/TLS phones and their connections, which the stack's router follows. */
    public SipMessaging(MessageFactory messages, HeaderFactory headers, AddressFactory addresses,
            List<SipProvider> allProviders, String hostName, PhoneFlows flows) {
        this.flows = flows;
        this.messages = messages;
        this.headers = headers;
        this.addresses = addresses;
        this.hostName = hostName;
        for (SipProvider provider : allProviders) {
            Transport transport = Transport.valueOf(provider.getListeningPoints()[0].getTransport().toUpperCase(java.util.Locale.ROOT));
            providers.putIfAbsent(transport, provider);
        }
    }

    /** The provider that sends over this transport, or null when no listener serves it. */
    SipProvider provider(Transport transport) {
        return providers.get(transport);
    }

    /** Our address as the far side must see it: the listener's, or our host name when bound to all addresses. */
    String localHost(SipProvider provider) {
        String address = provider.getListeningPoints()[0].getIPAddress();
        return "0.0.0.0".equals(address) || "::".equals(address) || "0:0:0:0:0:0:0:0".equals(address) ? hostName : address;
    }

    ContactHeader contact(SipProvider provider, String user) throws ParseException {
        ListeningPoint point = provider.getListeningPoints()[0];
        SipURI uri = addresses.createSipURI(user, localHost(provider));
        uri.setPort(point.getPort());
        if (!"udp".equalsIgnoreCase(point.getTransport())) {
            uri.setTransportParam(point.getTransport().toLowerCase(java.util.Locale.ROOT));
        }
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    static String newTag() {
        return org.sipshield.proxy.transport.SipIdentifiers.tag();
    }

    static byte[] body(Message message) {
        byte[] raw = message.getRawContent();
        return raw == null || raw.length == 0 ? null : raw;
    }

    void setSdp(Message message, byte[] sdp) throws ParseException {
        if (sdp == null) {
            return;
        }
        ContentTypeHeader type = headers.createContentTypeHeader("application", "sdp");
        message.setContent(sdp, type);
    }

    void copyBody(Message from, Message to) throws ParseException {
        byte[] body = body(from);
        if (body != null && from.getHeader(ContentTypeHeader.NAME) instanceof ContentTypeHeader type) {
            to.setContent(body, headers.createContentTypeHeader(type.getContentType(), type.getContentSubType()));
        }
    }
}
