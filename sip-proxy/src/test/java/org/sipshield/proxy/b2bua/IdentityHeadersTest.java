package org.sipshield.proxy.b2bua;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gov.nist.javax.sip.parser.StringMsgParser;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.sipshield.config.CallLimits;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.DigestOptions;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.TransportType;
import org.sipshield.config.TrunkIdentity;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;

/** What crosses between legs, decided from each side's trust: the caller's request in, the other leg's out. */
class IdentityHeadersTest {
    static final Peer TRUSTED = trunk("trusted", new TrunkIdentity(true, true, true));
    static final Peer UNTRUSTED = trunk("untrusted", TrunkIdentity.DEFAULT);
    static final Peer NO_REDIRECTION = trunk("quiet", new TrunkIdentity(false, false, false));
    static final Peer DIGEST_PHONE = phone(true, DeviceSecurityMode.NON_SECURE);
    static final Peer OPEN_PHONE = phone(false, DeviceSecurityMode.NON_SECURE);

    final IdentityHeaders identity;

    IdentityHeadersTest() throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        HeaderFactory headers = factory.createHeaderFactory();
        AddressFactory addresses = factory.createAddressFactory();
        identity = new IdentityHeaders(headers, addresses);
    }

    static Peer trunk(String name, TrunkIdentity trust) {
        return new Peer.Trunk(new SipTrunk(name, "p", List.of(), false, List.of(), CallLimits.NONE, trust), null);
    }

    static Peer phone(boolean digest, DeviceSecurityMode mode) {
        return new Peer.Device(new DeviceIdentity(DeviceIdentity.Kind.PHONE, "SEP000000003001", List.of("3001"), "p", "3001",
                null), new PhoneSecurityProfile("p", "", mode, mode.isSecure() ? TransportType.TLS : TransportType.TCP_UDP,
                digest, 600, 5060, new DigestOptions(DigestOptions.ALGORITHMS, false, false, false)));
    }

    static Request request(String from, String... headers) throws Exception {
        String text = "INVITE sip:2001@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-1\r\n"
                + "From: " + from + ";tag=a\r\nTo: <sip:2001@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                + String.join("\r\n", headers) + (headers.length > 0 ? "\r\n" : "") + "Content-Length: 0\r\n\r\n";
        return (Request) new StringMsgParser().parseSIPMessage(text.getBytes(UTF_8), true, false, null);
    }

    static final String[] ALL = {
        "P-Asserted-Identity: \"Alice\" <sip:+15551234@carrier.example>",
        "Privacy: id",
        "Diversion: <sip:2002@pbx.example>;reason=no-answer",
        "History-Info: <sip:2002@pbx.example>;index=1",
        "Identity: eyJhbGciOiJFUzI1NiJ9.e30.c2ln;info=<https://cert.example/a.pem>;alg=ES256;ppt=shaken"};

    Request cross(Request original, Peer caller, Peer target) throws Exception {
        Request out = request("<sip:" + LegRequests.callerUser(original) + "@10.0.0.1>");
        identity.carry(original, caller, target, out, "proxy.example");
        return out;
    }

    static List<String> values(Request request, String name) {
        List<String> found = new ArrayList<>();
        ListIterator<?> headers = request.getHeaders(name);
        while (headers != null && headers.hasNext()) {
            String text = headers.next().toString();
            found.add(text.substring(text.indexOf(':') + 1).trim());
        }
        return found;
    }

    @Test
    void fromATrustedTrunkToATrustedTrunkEverythingCrossesAndTheAssertionSurvivesPrivacy() throws Exception {
        Request out = cross(request("<sip:+15551234@carrier.example>", ALL), TRUSTED, TRUSTED);
        assertEquals(List.of("\"Alice\" <sip:+15551234@carrier.example>"), values(out, "P-Asserted-Identity"));
        assertEquals(List.of("id"), values(out, "Privacy"));
        assertEquals(1, values(out, "Diversion").size());
        assertEquals(1, values(out, "History-Info").size());
        assertEquals(List.of(ALL[4].substring("Identity: ".length())), values(out, "Identity"), "a signature crosses unchanged");
        assertEquals("+15551234", LegRequests.callerUser(out), "From stays inside the trust domain");
    }

    @Test
    void privacyIdTowardsAnUntrustedTrunkRemovesTheAssertionAndAnonymisesFrom() throws Exception {
        Request out = cross(request("<sip:+15551234@carrier.example>", ALL), TRUSTED, UNTRUSTED);
        assertEquals(List.of(), values(out, "P-Asserted-Identity"));
        FromHeader from = (FromHeader) out.getHeader(FromHeader.NAME);
        assertEquals("\"Anonymous\" <sip:anonymous@anonymous.invalid>", from.getAddress().toString());
        assertEquals("a", from.getTag(), "the tag is the dialog's, not an identity");
        assertEquals(List.of("id"), values(out, "Privacy"));
    }

    @Test
    void withoutPrivacyAnUntrustedTrunkStillLearnsTheAssertedCaller() throws Exception {
        Request original = request("<sip:+15551234@carrier.example>", ALL[0]);
        Request out = cross(original, TRUSTED, UNTRUSTED);
        assertEquals(1, values(out, "P-Asserted-Identity").size());
        assertEquals("+15551234", LegRequests.callerUser(out));
    }

    @Test
    void anUntrustedTrunkCannotAssertAnIdentityOrAskForItsRemoval() throws Exception {
        Request out = cross(request("<sip:+15559999@attacker.example>", ALL), UNTRUSTED, TRUSTED);
        assertEquals(List.of(), values(out, "P-Asserted-Identity"));
        assertEquals(List.of(), values(out, "Privacy"));
        assertEquals(1, values(out, "Diversion").size(), "redirection still crosses: voicemail needs it");
        assertEquals(1, values(out, "Identity").size(), "the far carrier verifies the signature itself");
    }

    @Test
    void anAuthenticatedPhoneIsAssertedAsItsOwnNumberWhateverItWrote() throws Exception {
        Request forged = request("<sip:3001@10.0.0.5>", "P-Asserted-Identity: <sip:911@pbx.example>");
        assertEquals(List.of("<sip:3001@proxy.example>"), values(cross(forged, DIGEST_PHONE, TRUSTED), "P-Asserted-Identity"));
        Request other = request("<sip:4444@10.0.0.5>");
        assertEquals(List.of("<sip:3001@proxy.example>"), values(cross(other, DIGEST_PHONE, TRUSTED), "P-Asserted-Identity"),
                "a number that is not the phone's own is never asserted");
        Request certified = request("\"Front desk\" <sip:3001@10.0.0.5>");
        assertEquals(List.of("\"Front desk\" <sip:3001@proxy.example>"),
                values(cross(certified, phone(false, DeviceSecurityMode.ENCRYPTED), TRUSTED), "P-Asserted-Identity"));
    }

    @Test
    void anAuthenticatedPhonesPrivacyIsHonouredTowardsAnUntrustedTrunk() throws Exception {
        Request out = cross(request("<sip:3001@10.0.0.5>", "Privacy: header;id"), DIGEST_PHONE, UNTRUSTED);
        assertEquals(List.of(), values(out, "P-Asserted-Identity"));
        assertEquals(IdentityHeaders.ANONYMOUS_USER, LegRequests.callerUser(out));
    }

    @Test
    void anUnauthenticatedPhoneAssertsNothingAndIdentityNeverReachesAPhone() throws Exception {
        Request out = cross(request("<sip:3001@10.0.0.5>", ALL), OPEN_PHONE, TRUSTED);
        assertEquals(List.of(), values(out, "P-Asserted-Identity"));
        assertEquals(List.of(), values(out, "Identity"), "a phone does not sign");
        assertEquals(1, values(out, "Diversion").size(), "a phone's own forwarding");
        assertEquals(List.of(), values(cross(request("<sip:1@c>", ALL), TRUSTED, DIGEST_PHONE), "Identity"));
    }

    @Test
    void aTrunkWithoutRedirectionDeliveryNeitherSendsNorReceivesDiversion() throws Exception {
        assertEquals(List.of(), values(cross(request("<sip:1@c>", ALL), NO_REDIRECTION, TRUSTED), "Diversion"));
        assertEquals(List.of(), values(cross(request("<sip:1@c>", ALL), TRUSTED, NO_REDIRECTION), "History-Info"));
        assertEquals(List.of(), values(cross(request("<sip:1@c>", ALL), new Peer.Unknown(), TRUSTED), "Diversion"));
    }

    @Test
    void privacyTokensAreFoundWhereverTheyStand() throws Exception {
        List<Header> privacy = new ArrayList<>();
        request("<sip:1@c>", "Privacy: user ; id").getHeaders("Privacy").forEachRemaining(h -> privacy.add((Header) h));
        assertEquals(true, IdentityHeaders.asksIdentityPrivacy(privacy));
        List<Header> none = new ArrayList<>();
        request("<sip:1@c>", "Privacy: none").getHeaders("Privacy").forEachRemaining(h -> none.add((Header) h));
        assertEquals(false, IdentityHeaders.asksIdentityPrivacy(none));
        assertNull(request("<sip:1@c>").getHeader("Privacy"));
    }
}
