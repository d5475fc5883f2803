package org.sipshield.proxy.registrar;

import gov.nist.javax.sip.message.SIPMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.sip.SipFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import org.sipshield.proxy.transport.HeaderValues;

/** The parts of a REGISTER the registrar acts on, checked against RFC 3261 section 10.3. */
record RegisterRequest(String addressOfRecord, String callId, long cseq, boolean wildcard,
        List<RequestedContact> contacts, long expiresHeader, String userAgent) {

    static final int MAX_CONTACT_URI_LENGTH = 1024;
    static final int MAX_CALL_ID_LENGTH = 256;
    static final int MAX_INSTANCE_ID_LENGTH = 256;
    static final int MAX_USER_AGENT_LENGTH = 256;
    static final int MAX_CONTACTS = 20;
    /** Intervals are capped long before this; more digits than this only means "very long". */
    private static final Pattern DELTA_SECONDS = Pattern.compile("[0-9]{1,10}");
    private static final Pattern LONG_DELTA_SECONDS = Pattern.compile("[0-9]{11,}");

    /** The request's Expires header in seconds, or -1 when it has none. */
    static final long NO_EXPIRES = -1;

    static RegisterRequest parse(Request request) throws RegisterRejection {
        if (!Request.REGISTER.equals(request.getMethod())) {
            throw RegisterRejection.badRequest("Not a REGISTER");
        }
        refuseUnparsedHeaders(request);
        String addressOfRecord = addressOfRecord(request);
        CallIdHeader callIdHeader = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        CSeqHeader cseqHeader = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        if (callIdHeader == null || cseqHeader == null) {
            throw RegisterRejection.badRequest("Missing Call-ID or CSeq");
        }
        String callId = callIdHeader.getCallId();
        if (callId.length() > MAX_CALL_ID_LENGTH) {
            throw RegisterRejection.badRequest("Call-ID too long");
        }
        ExpiresHeader expires = request.getExpires();
        long expiresHeader = expires == null ? NO_EXPIRES : expires.getExpires();

        boolean wildcard = false;
        List<RequestedContact> contacts = new ArrayList<>();
        Iterator<?> headers = request.getHeaders(ContactHeader.NAME);
        while (headers.hasNext()) {
            ContactHeader contact = (ContactHeader) headers.next();
            if (contact.isWildCard()) {
                wildcard = true;
            } else {
                contacts.add(contact(contact));
            }
            if (contacts.size() > MAX_CONTACTS) {
                throw new RegisterRejection(javax.sip.message.Response.FORBIDDEN, "Too many contacts");
            }
        }
        if (wildcard && !contacts.isEmpty()) {
            throw RegisterRejection.badRequest("Contact: * must be the only Contact");
        }
        if (wildcard && expiresHeader != 0) {
            throw RegisterRejection.badRequest("Contact: * requires Expires: 0");
        }
        return new RegisterRequest(addressOfRecord, callId, cseqHeader.getSeqNumber(), wildcard,
                List.copyOf(contacts), expiresHeader, userAgent(request));
    }

    boolean isQuery() {
        return !wildcard && contacts.isEmpty();
    }

    /**
     * The stack drops a header it cannot parse into the message's unparsed list instead of failing the
     * whole message; a REGISTER whose Contact vanished that way would otherwise look like a query.
     */
    private static void refuseUnparsedHeaders(Request request) throws RegisterRejection {
        if (!(request instanceof SIPMessage message)) {
            return;
        }
        Iterator<String> unparsed = message.getUnrecognizedHeaders();
        while (unparsed != null && unparsed.hasNext()) {
            String header = unparsed.next();
            int colon = header.indexOf(':');
            String name = (colon < 0 ? header : header.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            if (name.equals("contact") || name.equals("m")) {
                throw RegisterRejection.badRequest("Malformed Contact header");
            }
            if (name.equals("expires")) {
                throw RegisterRejection.badRequest("Malformed Expires header");
            }
        }
    }

    private static String addressOfRecord(Request request) throws RegisterRejection {
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (to == null || !(to.getAddress().getURI() instanceof SipURI uri) || uri.getUser() == null
                || uri.getUser().isEmpty()) {
            throw RegisterRejection.badRequest("To must name a directory number");
        }
        return uri.getUser();
    }

    private static RequestedContact contact(ContactHeader contact) throws RegisterRejection {
        if (contact.getAddress() == null || !(contact.getAddress().getURI() instanceof SipURI uri)) {
            throw RegisterRejection.badRequest("Contact must be a sip: or sips: URI");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw RegisterRejection.badRequest("Contact URI has no host");
        }
        if (uri.getHeaderNames() != null && uri.getHeaderNames().hasNext()) {
            // the contact becomes the Request-URI of calls to the phone, where headers are not allowed
            // (RFC 3261 19.1.5); and jain-sip's URI equality never matches one that has them, so a
            // refresh or an unregister would not find the binding it names
            throw RegisterRejection.badRequest("Contact URI with headers");
        }
        if (uri.getUserPassword() != null) {
            // NOT RECOMMENDED (RFC 3261 19.1.1): it would be stored and shown with the binding; and jain-sip
            // writes "sip::pw@host" (an empty user) as "sip:null:pw@host", another user than the phone's
            throw RegisterRejection.badRequest("Contact URI with a password");
        }
        String uriText = uri.toString();
        if (uriText.length() > MAX_CONTACT_URI_LENGTH) {
            throw RegisterRejection.badRequest("Contact URI too long");
        }
        if (!readsBackAsItself(uriText, uri)) {
            // the binding keeps the text: routing, a refresh and an unregister read it again, and
            // jain-sip writes some URIs it parsed as another (an empty user as "null")
            throw RegisterRejection.badRequest("Malformed Contact URI");
        }
        String instanceId = contact.getParameter("+sip.instance");
        if (instanceId != null && (instanceId.isEmpty() || instanceId.length() > MAX_INSTANCE_ID_LENGTH)) {
            throw RegisterRejection.badRequest("Malformed +sip.instance in Contact");
        }
        return new RequestedContact(uri, uriText, instanceId, expiresParameter(contact.getParameter("expires")));
    }

    private static boolean readsBackAsItself(String text, SipURI uri) {
        try {
            SipFactory sip = SipFactory.getInstance();
            URI routed = sip.createAddressFactory().createURI(text);
            URI compared = ((ContactHeader) sip.createHeaderFactory().createHeader(ContactHeader.NAME, "<" + text + ">"))
                    .getAddress().getURI();
            return uri.equals(routed) && uri.equals(compared);
        } catch (java.text.ParseException | javax.sip.PeerUnavailableException | RuntimeException e) {
            return false;
        }
    }

    private static long expiresParameter(String value) throws RegisterRejection {
        if (value == null) {
            return NO_EXPIRES;
        }
        String trimmed = value.trim();
        if (DELTA_SECONDS.matcher(trimmed).matches()) {
            return Long.parseLong(trimmed);
        }
        if (LONG_DELTA_SECONDS.matcher(trimmed).matches()) {
            return Long.MAX_VALUE; // RFC 3261 20.19: "longer than 2**32-1" means the longest allowed
        }
        throw RegisterRejection.badRequest("Malformed expires parameter in Contact");
    }

    private static String userAgent(Request request) {
        Header header = request.getHeader("User-Agent");
        if (header == null) {
            return null;
        }
        String value = HeaderValues.of(header).replaceAll("\\p{Cntrl}", "");
        return value.length() > MAX_USER_AGENT_LENGTH ? value.substring(0, MAX_USER_AGENT_LENGTH) : value;
    }
}
