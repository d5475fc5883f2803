package org.sipshield.proxy.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Contact a dialog's requests will follow names the transport the peer used, however it was written. */
class ContactTransportPinTest {
    private static final AddressFactory ADDRESSES;

    static {
        try {
            ADDRESSES = SipFactory.getInstance().createAddressFactory();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "sip:sbc.example:5061;transport=tcp, tls, sip:sbc.example:5061;transport=tls",
            "sip:sbc.example:5061, tls, sip:sbc.example:5061;transport=tls",
            "sip:sbc.example:5061;transport=UDP, tls, sip:sbc.example:5061;transport=tls",
            "sips:sbc.example:5061, tls, sips:sbc.example:5061",
            "sip:sbc.example:5061;transport=tls, tls, sip:sbc.example:5061;transport=tls",
            "sip:phone@10.0.0.7:5060;transport=tcp, udp, sip:phone@10.0.0.7:5060",
            "sip:phone@10.0.0.7:5060, tcp, sip:phone@10.0.0.7:5060;transport=tcp",
            "sip:phone@10.0.0.7:5060;transport=tls;ob, tcp, sip:phone@10.0.0.7:5060;transport=tcp;ob",
            "sip:phone@10.0.0.7:5060, udp, sip:phone@10.0.0.7:5060",
    })
    void aContactIsPinnedToTheTransportItArrivedOver(String written, String arrivedOver, String pinned) throws Exception {
        SipURI uri = (SipURI) ADDRESSES.createURI(written);
        ContactTransportPin.pinUri(uri, arrivedOver);
        assertEquals(pinned, uri.toString());
    }
}
