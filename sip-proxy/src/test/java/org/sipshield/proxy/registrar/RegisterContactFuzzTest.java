package org.sipshield.proxy.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import javax.sip.SipFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Coverage-guided fuzzing (Jazzer) of the registrar's Contact handling: each input line becomes a
 * Contact header of a REGISTER (a line starting with Expires: or User-Agent: is kept as that
 * header), parsed as the stack parses it. The registrar takes it or refuses it with 400/403 and a
 * fixed reason, never another exception; what it takes is bounded (contacts, URI, instance id,
 * User-Agent) and reads back: the contact URI it stores is a sip(s) URI when routing reads it
 * again, matches itself when a re-REGISTER is compared with it, and the Contact our 200 writes
 * from it parses to the same URI and instance. `mvn test` replays the seeds;
 * bench/robustness.sh fuzzes for 60 s.
 */
class RegisterContactFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void anyContactIsTakenBoundedOrRefused(byte[] input) throws Exception {
        SipMessages.RegisterBuilder builder = SipMessages.register("2001");
        for (String line : new String(input, StandardCharsets.UTF_8).split("\n", -1)) {
            String header = line.replace("\r", "");
            boolean kept = header.regionMatches(true, 0, "Expires:", 0, 8) || header.regionMatches(true, 0, "User-Agent:", 0, 11);
            builder.header(kept ? header : "Contact: " + header);
        }
        Request request;
        try {
            request = builder.build();
        } catch (IllegalArgumentException notParsed) {
            return; // an essential header broke: the stack refuses the message before the registrar
        }
        RegisterRequest register;
        try {
            register = RegisterRequest.parse(request);
        } catch (RegisterRejection refused) {
            assertTrue(refused.statusCode() == Response.BAD_REQUEST || refused.statusCode() == Response.FORBIDDEN,
                    "status " + refused.statusCode());
            assertFalse(refused.reasonPhrase() == null || refused.reasonPhrase().isBlank(), "a refusal without a reason");
            assertTrue(refused.reasonPhrase().chars().allMatch(c -> c >= 0x20 && c < 0x7f), "reason " + refused.reasonPhrase());
            return;
        }
        assertEquals("2001", register.addressOfRecord());
        assertTrue(register.contacts().size() <= RegisterRequest.MAX_CONTACTS, "contacts: " + register.contacts().size());
        if (register.wildcard()) {
            assertTrue(register.contacts().isEmpty() && register.expiresHeader() == 0, "Contact: * with " + register);
        }
        if (register.userAgent() != null) {
            assertTrue(register.userAgent().length() <= RegisterRequest.MAX_USER_AGENT_LENGTH);
            assertTrue(register.userAgent().chars().noneMatch(Character::isISOControl), "User-Agent " + register.userAgent());
        }
        for (RequestedContact contact : register.contacts()) {
            assertTrue(contact.uriText().length() <= RegisterRequest.MAX_CONTACT_URI_LENGTH);
            assertEquals(contact.uri().toString(), contact.uriText());
            assertFalse(contact.uri().getHost() == null || contact.uri().getHost().isEmpty(), "no host: " + contact.uriText());
            assertTrue(contact.expiresParameter() >= RegisterRequest.NO_EXPIRES);
            if (contact.instanceId() != null) {
                assertTrue(!contact.instanceId().isEmpty() && contact.instanceId().length() <= RegisterRequest.MAX_INSTANCE_ID_LENGTH);
            }
            readsBack(contact);
        }
    }

    /** What the registrar later does with the stored text: route to it, compare with it, write it in a 200. */
    private static void readsBack(RequestedContact contact) throws ParseException, javax.sip.PeerUnavailableException {
        URI routed = SipFactory.getInstance().createAddressFactory().createURI(contact.uriText());
        assertTrue(routed instanceof SipURI, "routing reads the stored contact as " + routed.getClass().getSimpleName());
        URI compared = ((ContactHeader) SipMessages.HEADERS.createHeader(ContactHeader.NAME, "<" + contact.uriText() + ">"))
                .getAddress().getURI();
        assertEquals(contact.uri(), compared, "a re-REGISTER of the same contact would not match it");
        StringBuilder written = new StringBuilder("<").append(contact.uriText()).append(">;expires=3600");
        if (contact.instanceId() != null) {
            written.append(";+sip.instance=\"").append(contact.instanceId()).append('"');
        }
        ContactHeader answered = (ContactHeader) SipMessages.HEADERS.createHeader(ContactHeader.NAME, written.toString());
        assertEquals(contact.uri(), answered.getAddress().getURI(), "our 200's Contact names another URI: " + written);
        if (contact.instanceId() != null) {
            assertEquals(contact.instanceId(), answered.getParameter("+sip.instance"), "our 200's Contact: " + written);
        }
    }
}
