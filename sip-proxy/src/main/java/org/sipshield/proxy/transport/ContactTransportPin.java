package org.sipshield.proxy.transport;

import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import gov.nist.javax.sip.message.SIPMessage;
import java.text.ParseException;
import java.util.Locale;
import javax.sip.address.SipURI;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A dialog's requests go back over the transport its peer reached us on, whatever transport its
 * Contact names. jain-sip takes a dialog's next hop from the remote target (the Contact), so a TLS
 * trunk answering with {@code Contact: <sip:sbc;transport=tcp>} would have the ACK, BYE and
 * re-INVITEs, SDES keys and all, sent in clear; with one provider per listening point they are not
 * sent at all and the call hangs unacknowledged. So before the dialog layer reads a Contact, each
 * Contact of a message that came over a connection is pinned to that connection's transport.
 *
 * <p>REGISTER is left as the phone wrote it (a binding is reached at its source address over its own
 * transport, and the registrar shows operators what the phone said), and so are 3xx Contacts, which
 * name other targets rather than this peer.
 */
public final class ContactTransportPin {
    private ContactTransportPin() {}

    /** Pins the Contacts of a request that would create or refresh a dialog. */
    public static void pin(Request request, String arrivedOver) {
        if (!Request.REGISTER.equals(request.getMethod())) {
            pinContacts((SIPMessage) request, arrivedOver);
        }
    }

    /** Pins the Contacts of a 1xx or 2xx answer (the ones that set a dialog's remote target). */
    public static void pin(Response response, String arrivedOver) {
        if (response.getStatusCode() < 300) {
            pinContacts((SIPMessage) response, arrivedOver);
        }
    }

    private static void pinContacts(SIPMessage message, String arrivedOver) {
        ContactList contacts = message.getContactHeaders();
        if (contacts == null || arrivedOver == null) {
            return;
        }
        String transport = arrivedOver.toLowerCase(Locale.ROOT);
        for (Contact contact : contacts) {
            if (contact.getAddress() != null && contact.getAddress().getURI() instanceof SipURI uri) {
                pinUri(uri, transport);
            }
        }
    }

    /** The URI's transport as jain-sip would read it (sips: means TLS, none means UDP), made {@code transport}. */
    static void pinUri(SipURI uri, String transport) {
        String named = uri.getTransportParam();
        String effective = named != null ? named.toLowerCase(Locale.ROOT) : uri.isSecure() ? "tls" : "udp";
        if (effective.equals(transport)) {
            return;
        }
        try {
            if (transport.equals("udp") && !uri.isSecure()) {
                uri.removeParameter("transport");
            } else {
                uri.setTransportParam(transport);
            }
        } catch (ParseException e) {
            throw new IllegalStateException("a transport name is a valid parameter: " + transport, e);
        }
    }
}
