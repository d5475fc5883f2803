package org.sipshield.proxy.pipeline;

import java.text.ParseException;
import javax.sip.PeerUnavailableException;
import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.address.URI;

/**
 * Whether a digest uri parameter designates a request's Request-URI (RFC 7616 3.4.6): the same
 * URI under RFC 3261 19.1.4 (host and scheme case-insensitive, escapes decoded, the same
 * parameters), as jain-sip's URI equality implements it. A phone that writes the Request-URI
 * back in another spelling still passes; a different user, host, port or transport does not.
 * A uri that does not parse designates nothing.
 */
final class SipUriEquivalence {
    private static final AddressFactory ADDRESSES = addressFactory();

    private SipUriEquivalence() {}

    static boolean same(String digestUri, String requestUri) {
        if (digestUri.equals(requestUri)) {
            return true;
        }
        try {
            URI claimed = ADDRESSES.createURI(digestUri);
            URI actual = ADDRESSES.createURI(requestUri);
            return claimed.isSipURI() && actual.isSipURI() && claimed.equals(actual);
        } catch (ParseException | RuntimeException e) {
            return false;
        }
    }

    private static AddressFactory addressFactory() {
        try {
            return SipFactory.getInstance().createAddressFactory();
        } catch (PeerUnavailableException e) {
            throw new IllegalStateException("jain-sip's address factory is missing", e);
        }
    }
}
