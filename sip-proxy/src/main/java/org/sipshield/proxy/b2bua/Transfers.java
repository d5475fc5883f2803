package org.sipshield.proxy.b2bua;

import gov.nist.javax.sip.header.extensions.ReplacesHeader;
import java.text.ParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.Header;
import javax.sip.header.ReferToHeader;
import javax.sip.message.Request;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.transport.SipIdentifiers;

/**
 * What crosses the B2BUA for a call transfer (RFC 3515 REFER, RFC 3891 Replaces, RFC 5589). A
 * referee only ever reaches anyone through us, so the Refer-To it gets names us on its own leg's
 * listener, with the number the transferor asked for and no other embedded header. A Replaces in
 * it (attended transfer) names the transferor's dialog with us, which the referee cannot use: it
 * is accepted only for a dialog the transferor itself is party to, and the referee gets a grant in
 * its place, an alias dialog id valid once, for that referee only. An INVITE with Replaces may name
 * a grant made out to its sender, or a dialog of a call its sender is party to; the far end of the
 * named call then gets the Replaces of its own leg, and the replaced call ends once the new one is
 * answered. A Replaces naming no dialog of ours is answered 481, one naming a call its sender has
 * no part in 403: nobody else's call can be taken over.
 *
 * <p>The named call is read under its own monitor before the caller takes any other call's (the
 * locking rule): {@link #name} and {@link #replacing} hold no monitor but the named call's.
 */
final class Transfers {
    /** Long enough for the referee's INVITE, which follows the 202 at once. */
    private static final long GRANT_SECONDS = 120;

    /** A leg of one of our calls, as a Replaces header names it. */
    record NamedLeg(Call call, Call.Side side) {}

    /** A Refer-To read before the REFER's own call is locked: the number referred to, and the leg its Replaces names. */
    record Referral(String number, NamedLeg replaces, boolean unknownReplaces) {}

    /** What an INVITE's Replaces header comes to. */
    sealed interface Replacement {
        /** The far end of the named call gets {@code value}; {@code replaced} ends once the new call is answered. */
        record Mapped(String value, Call replaced) implements Replacement {}

        record Refused(int status, String reason) implements Replacement {}
    }

    private record Grant(NamedLeg leg, Peer referee, String toTag, String fromTag, long expiresNanos) {}

    private final SipMessaging sip;
    private final CallRegistry registry;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastSweepNanos = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime());

    Transfers(SipMessaging sip, CallRegistry registry) {
        this.sip = sip;
        this.registry = registry;
    }

    /** A REFER's Refer-To, with the dialog its Replaces names (if any); null when it names no number. */
    Referral name(Request refer) throws ParseException {
        if (!(refer.getHeader(ReferToHeader.NAME) instanceof ReferToHeader referTo)) {
            return null;
        }
        URI uri = referTo.getAddress().getURI();
        String number = uri instanceof SipURI sipUri ? sipUri.getUser()
                : uri instanceof TelURL tel ? tel.getPhoneNumber() : null;
        if (number == null || number.isEmpty()) {
            return null;
        }
        String replaces = uri instanceof SipURI sipUri ? embeddedHeader(sipUri, ReplacesHeader.NAME) : null;
        if (replaces == null) {
            return new Referral(number, null, false);
        }
        NamedLeg leg = locate(parseReplaces(replaces));
        return new Referral(number, leg, leg == null);
    }

    /**
     * The Refer-To for the referee on leg {@code towards} (under the REFER's call's monitor, the named
     * call read already), or null when the transferor may not refer with that Replaces.
     */
    private Header referTo(Referral referral, Peer transferor, Peer referee, SipProvider provider) throws ParseException {
        SipURI uri = (SipURI) sip.contact(provider, referral.number()).getAddress().getURI();
        String text = uri.toString();
        if (referral.unknownReplaces()) {
            return null;
        }
        if (referral.replaces() != null) {
            if (!sameParty(transferor, referral.replaces().call().peer(referral.replaces().side()))) {
                return null;
            }
            sweep();
            String alias = SipIdentifiers.callId();
            Grant grant = new Grant(referral.replaces(), referee, SipMessaging.newTag(), SipMessaging.newTag(),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(GRANT_SECONDS));
            grants.put(alias, grant);
            text += "?Replaces=" + alias + "%3Bto-tag%3D" + grant.toTag() + "%3Bfrom-tag%3D" + grant.fromTag();
        }
        Address address = sip.addresses.createAddress(text);
        return sip.headers.createReferToHeader(address);
    }

    /**
     * Puts the Refer-To and Referred-By for the referee into {@code out}; false when the REFER must be
     * refused (its Replaces names a dialog the transferor is not party to, or none of ours).
     */
    boolean cross(Referral referral, Request refer, Peer transferor, Peer referee, SipProvider provider, Request out)
            throws ParseException {
        Header referTo = referral == null ? null : referTo(referral, transferor, referee, provider);
        if (referTo == null) {
            return false;
        }
        out.setHeader(referTo);
        Header referredBy = referredBy(refer, transferor, provider);
        if (referredBy != null) {
            out.setHeader(referredBy);
        }
        return true;
    }

    /**
     * The Referred-By of a REFER by trust, as P-Asserted-Identity is: a trusted trunk's crosses, an
     * authenticated phone is named by its own number, anyone else's is dropped.
     */
    private Header referredBy(Request refer, Peer transferor, SipProvider provider) throws ParseException {
        if (IdentityHeaders.isTrustedTrunk(transferor)) {
            Header header = refer.getHeader("Referred-By");
            return header == null ? null : (Header) header.clone();
        }
        if (IdentityHeaders.isAuthenticatedPhone(transferor)) {
            var lines = ((Peer.Device) transferor).device().directoryNumbers();
            String claimed = LegRequests.callerUser(refer);
            String number = lines.contains(claimed) || lines.isEmpty() ? claimed : lines.get(0);
            SipURI uri = sip.addresses.createSipURI(number, sip.localHost(provider));
            return sip.headers.createHeader("Referred-By", "<" + uri + ">");
        }
        return null;
    }

    /**
     * An INVITE's Replaces header from {@code sender}: null when it has none. Reads the named call
     * under its monitor; called before the new call exists.
     */
    Replacement replacing(Request invite, Peer sender) throws ParseException {
        if (!(invite.getHeader(ReplacesHeader.NAME) instanceof ReplacesHeader replaces)) {
            return null;
        }
        Grant grant = grants.get(replaces.getCallId());
        NamedLeg leg;
        if (grant != null && grant.toTag().equals(replaces.getToTag()) && grant.fromTag().equals(replaces.getFromTag())
                && System.nanoTime() - grant.expiresNanos() < 0) {
            if (!sameParty(sender, grant.referee())) {
                return new Replacement.Refused(403, "Forbidden");
            }
            grants.remove(replaces.getCallId(), grant);
            leg = grant.leg();
        } else {
            leg = locate(replaces);
            if (leg == null) {
                return new Replacement.Refused(481, "Call/Transaction Does Not Exist");
            }
            if (!sameParty(sender, leg.call().peer(leg.side()))) {
                return new Replacement.Refused(403, "Forbidden");
            }
        }
        synchronized (leg.call()) {
            String value = leg.call().isEnded() ? null : leg.call().replacesValue(leg.side().other());
            return value == null ? new Replacement.Refused(481, "Call/Transaction Does Not Exist")
                    : new Replacement.Mapped(value, leg.call());
        }
    }

    /**
     * The leg of ours a Replaces names, as RFC 3891 has the recipient match it: its to-tag is our
     * tag on that leg, its from-tag the peer's. Null when it names none.
     */
    private NamedLeg locate(ReplacesHeader replaces) {
        if (replaces == null || replaces.getCallId() == null) {
            return null;
        }
        for (Call.Side side : Call.Side.values()) {
            Call call = side == Call.Side.A ? registry.byCallIdA(replaces.getCallId()) : registry.byCallIdB(replaces.getCallId());
            if (call != null) {
                synchronized (call) {
                    if (!call.isEnded() && replaces.getToTag() != null && replaces.getToTag().equals(call.localTag(side))
                            && replaces.getFromTag() != null && replaces.getFromTag().equals(call.remoteTag(side))) {
                        return new NamedLeg(call, side);
                    }
                }
            }
        }
        return null;
    }

    /** The same trunk, or the same device: who may stand for a leg's party. */
    static boolean sameParty(Peer one, Peer other) {
        if (one instanceof Peer.Trunk a && other instanceof Peer.Trunk b) {
            return a.trunk().name().equals(b.trunk().name());
        }
        if (one instanceof Peer.Device a && other instanceof Peer.Device b) {
            return a.device().deviceName().equals(b.device().deviceName());
        }
        return false;
    }

    private ReplacesHeader parseReplaces(String value) {
        try {
            return sip.headers.createHeader(ReplacesHeader.NAME, value) instanceof ReplacesHeader replaces ? replaces : null;
        } catch (ParseException e) {
            return null;
        }
    }

    /** A header embedded in a URI (RFC 3261 19.1.1), its escapes decoded; the name is case-insensitive. */
    private static String embeddedHeader(SipURI uri, String name) {
        Iterator<?> names = uri.getHeaderNames();
        while (names != null && names.hasNext()) {
            String header = (String) names.next();
            if (header.equalsIgnoreCase(name)) {
                return unescape(uri.getHeader(header));
            }
        }
        return null;
    }

    private static String unescape(String text) {
        if (text == null || text.indexOf('%') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0 && Character.digit(text.charAt(i + 2), 16) >= 0) {
                out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Lapsed grants are dropped at most once a second, when a new one is made. */
    private void sweep() {
        long now = System.nanoTime();
        long last = lastSweepNanos.get();
        if (now - last < TimeUnit.SECONDS.toNanos(1) || !lastSweepNanos.compareAndSet(last, now)) {
            return;
        }
        // by time only: a grant's call may be another's, whose monitor the caller must not take here
        grants.values().removeIf(grant -> now - grant.expiresNanos() >= 0);
    }
}
