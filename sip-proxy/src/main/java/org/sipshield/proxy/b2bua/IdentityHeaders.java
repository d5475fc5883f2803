package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.TrunkIdentity;
import org.sipshield.proxy.security.Peer;

/**
 * Which identity and redirection headers cross from a caller's request into the other leg's, by
 * trust. P-Asserted-Identity and Privacy (RFC 3325) are believed only from a trunk in our trust
 * domain; an authenticated phone gets an assertion of its own number (whatever it wrote), and
 * anyone else's are dropped, since an unauthenticated caller could assert any number. Towards
 * anyone outside the trust domain, Privacy: id removes the assertion and anonymises From. Diversion
 * (RFC 5806) and History-Info (RFC 7044) cross unless a trunk's settings say otherwise: a voicemail
 * server picks the mailbox from them. Identity (RFC 8224) is a carrier's signature over the
 * original From, To and date: it crosses trunk to trunk unchanged and means nothing to a phone.
 */
final class IdentityHeaders {
    static final String ASSERTED = "P-Asserted-Identity";
    static final String PRIVACY = "Privacy";
    static final String DIVERSION = "Diversion";
    static final String HISTORY_INFO = "History-Info";
    static final String IDENTITY = "Identity";
    /** RFC 3323's anonymous From: no user part or host that names anyone. */
    static final String ANONYMOUS_USER = "anonymous";
    static final String ANONYMOUS_HOST = "anonymous.invalid";

    private final HeaderFactory headers;
    private final AddressFactory addresses;

    IdentityHeaders(HeaderFactory headers, AddressFactory addresses) {
        this.headers = headers;
        this.addresses = addresses;
    }

    /**
     * Adds to {@code out} (a request already built for the other leg, From included) what may
     * cross from {@code original}; {@code localHost} names us in the assertion of a phone's number.
     */
    void carry(Request original, Peer caller, Peer target, Request out, String localHost) throws ParseException {
        List<Header> privacy = new ArrayList<>();
        if (isTrustedTrunk(caller)) {
            copy(original, ASSERTED, out);
            privacy.addAll(all(original, PRIVACY));
        } else if (isAuthenticatedPhone(caller)) {
            String display = ((FromHeader) original.getHeader(FromHeader.NAME)).getAddress().getDisplayName();
            out.addHeader(phoneAssertion(LegRequests.callerUser(original), display, (Peer.Device) caller, localHost));
            privacy.addAll(all(original, PRIVACY)); // the user's own request for privacy
        }
        privacy.forEach(out::addHeader);
        if (!isTrustedTrunk(target) && asksIdentityPrivacy(privacy)) {
            out.removeHeader(ASSERTED);
            anonymise((FromHeader) out.getHeader(FromHeader.NAME));
        }
        if (redirectionLeaves(caller) && redirectionEnters(target)) {
            copy(original, DIVERSION, out);
            copy(original, HISTORY_INFO, out);
        }
        if (caller instanceof Peer.Trunk && target instanceof Peer.Trunk) {
            copy(original, IDENTITY, out);
        }
    }

    /**
     * The connected party's identity (RFC 3325, RFC 4916 practice) in leg B's 18x/2xx as it reaches
     * the caller: the same trust as on requests, the answerer now the one asserting. A trusted trunk's
     * PAI and Privacy are kept, an authenticated phone is asserted as {@code answeredNumber} when it
     * has that line (its first line otherwise), anyone else's assertion never reaches the caller;
     * Privacy: id removes it towards a caller outside the trust domain.
     */
    void carryAnswer(Response original, Peer answerer, Peer caller, Response out, String answeredNumber, String localHost)
            throws ParseException {
        List<Header> privacy = new ArrayList<>();
        if (isTrustedTrunk(answerer)) {
            copy(original, ASSERTED, out);
            privacy.addAll(all(original, PRIVACY));
        } else if (isAuthenticatedPhone(answerer)) {
            out.addHeader(phoneAssertion(answeredNumber, null, (Peer.Device) answerer, localHost));
            privacy.addAll(all(original, PRIVACY));
        }
        privacy.forEach(out::addHeader);
        if (!isTrustedTrunk(caller) && asksIdentityPrivacy(privacy)) {
            out.removeHeader(ASSERTED);
        }
    }

    static boolean isTrustedTrunk(Peer peer) {
        return peer instanceof Peer.Trunk trunk && trunk.trunk().identity().assertedIdentity();
    }

    /**
     * A device whose profile demands digest or a certificate: the pipeline let its request through,
     * so it proved who it is. A Non Secure device without digest is only who it says it is.
     */
    static boolean isAuthenticatedPhone(Peer peer) {
        if (!(peer instanceof Peer.Device device)) {
            return false;
        }
        PhoneSecurityProfile profile = device.profile();
        return profile.enableDigestAuthentication() || profile.deviceSecurityMode().isSecure();
    }

    /** RFC 3323 privacy values are tokens separated by ';' (and by ',' across combined headers). */
    static boolean asksIdentityPrivacy(List<Header> privacy) {
        for (Header header : privacy) {
            for (String token : value(header).split("[;,]")) {
                if (token.trim().toLowerCase(Locale.ROOT).equals("id")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean redirectionLeaves(Peer caller) {
        if (caller instanceof Peer.Trunk trunk) {
            return trunk.trunk().identity().redirectingDiversionHeaderDeliveryInbound();
        }
        return caller instanceof Peer.Device; // a phone's own forwarding; nobody else's
    }

    private static boolean redirectionEnters(Peer target) {
        return !(target instanceof Peer.Trunk trunk)
                || trunk.trunk().identity().redirectingDiversionHeaderDeliveryOutbound();
    }

    /** The phone's own number: the one it called from if it has it, otherwise its first line. */
    private Header phoneAssertion(String claimed, String display, Peer.Device phone, String localHost)
            throws ParseException {
        List<String> numbers = phone.device().directoryNumbers();
        String number = numbers.contains(claimed) || numbers.isEmpty() ? claimed : numbers.get(0);
        Address address = addresses.createAddress(addresses.createSipURI(number, localHost));
        if (display != null && numbers.contains(claimed)) {
            address.setDisplayName(display);
        }
        return headers.createHeader(ASSERTED, address.toString());
    }

    private void anonymise(FromHeader from) throws ParseException {
        SipURI uri = addresses.createSipURI(ANONYMOUS_USER, ANONYMOUS_HOST);
        Address address = addresses.createAddress(uri);
        address.setDisplayName("Anonymous");
        from.setAddress(address);
    }

    private static void copy(Message from, String name, Message to) {
        all(from, name).forEach(to::addHeader);
    }

    private static List<Header> all(Message from, String name) {
        List<Header> found = new ArrayList<>();
        ListIterator<?> values = from.getHeaders(name);
        while (values != null && values.hasNext()) {
            found.add((Header) ((Header) values.next()).clone());
        }
        return found;
    }

    private static String value(Header header) {
        String text = header.toString();
        int colon = text.indexOf(':');
        return (colon < 0 ? text : text.substring(colon + 1)).trim();
    }
}
