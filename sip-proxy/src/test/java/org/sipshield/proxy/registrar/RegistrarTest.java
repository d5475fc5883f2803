package org.sipshield.proxy.registrar;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.sip.header.ContactHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.config.RegistrarSettings;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.testing.MutableClock;

/** RFC 3261 section 10.3 behaviour of the registrar over a real SQLite file. */
class RegistrarTest {
    static final DeviceIdentity PHONE = phone("SEP001122334455", List.of("1001", "1002"));
    static final String CONTACT = "<sip:1001@192.168.1.10:5060;transport=udp>";

    @TempDir
    Path dataDirectory;

    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T06:00:00Z"));
    SqliteRegistrationStore store;
    Registrar registrar;
    SourceAddress source;

    @BeforeEach
    void open() throws Exception {
        store = SqliteRegistrationStore.open(dataDirectory);
        registrar = registrar(RegistrarSettings.defaults());
        source = source("203.0.113.7", 40123, Transport.UDP);
    }

    @AfterEach
    void close() {
        registrar.close();
        store.close();
    }

    static DeviceIdentity phone(String name, List<String> lines) {
        return new DeviceIdentity(DeviceIdentity.Kind.PHONE, name, lines, "phones", null, null);
    }

    /** A new registrar on the same store (the previous one is closed first, as on a restart). */
    Registrar registrar(RegistrarSettings settings) {
        if (registrar != null) {
            registrar.close();
        }
        return new Registrar(store, SipMessages.MESSAGES, SipMessages.HEADERS, settings, clock);
    }

    static final Flow FLOW = new Flow("node-test", InetAddress.getLoopbackAddress(), 5060);

    static SourceAddress source(String address, int port, Transport transport) throws Exception {
        return new SourceAddress(InetAddress.getByName(address), port, transport);
    }

    Response register(Request request) {
        return registrar.register(request, PHONE, source, FLOW).join();
    }

    /** "uri;expires" of each Contact of a response. */
    static List<String> contacts(Response response) {
        List<String> contacts = new ArrayList<>();
        for (Iterator<?> it = response.getHeaders(ContactHeader.NAME); it.hasNext();) {
            ContactHeader contact = (ContactHeader) it.next();
            contacts.add(contact.getAddress().getURI() + ";" + contact.getExpires());
        }
        return contacts;
    }

    @Test
    void registerStoresTheBindingAndTheOkListsItWithItsInterval() {
        Response response = register(SipMessages.register("1001").contact(CONTACT).expires(1800)
                .header("User-Agent: Cisco-CP8865/14.2.1").build());

        assertEquals(200, response.getStatusCode());
        assertEquals(List.of("sip:1001@192.168.1.10:5060;transport=udp;1800"), contacts(response));
        assertNotNull(response.getHeader("Date"));
        List<Binding> bindings = registrar.bindingsForDirectoryNumber("1001");
        assertEquals(1, bindings.size());
        Binding binding = bindings.get(0);
        assertEquals("SEP001122334455", binding.deviceName());
        assertEquals("1001", binding.addressOfRecord());
        assertEquals("sip:1001@192.168.1.10:5060;transport=udp", binding.contactUri());
        assertEquals(source, binding.source());
        assertEquals("reg-1@192.168.1.10", binding.callId());
        assertEquals(1, binding.cseq());
        assertEquals(clock.instant().plusSeconds(1800), binding.expiresAt());
        assertEquals("Cisco-CP8865/14.2.1", binding.userAgent());
        assertEquals(null, binding.instanceId());
        assertEquals(FLOW, binding.flow());
        // the row holds the same node and listener: what another node reads to know who holds the phone
        assertEquals(List.of(binding), store.allActive(clock.instant()));
    }

    @Test
    void theOkStatesTheRemainingIntervalOfEveryBinding() {
        registrar = registrar(new RegistrarSettings(60, 3600, 3600, 2));
        register(SipMessages.register("1001").contact("<sip:a@192.168.1.10>").expires(600).build());
        clock.advance(Duration.ofSeconds(100));
        Response response = register(SipMessages.register("1001").cseq(2).contact("<sip:b@192.168.1.11>")
                .expires(300).build());

        assertEquals(List.of("sip:a@192.168.1.10;500", "sip:b@192.168.1.11;300"), contacts(response));
    }

    @Test
    void theContactsExpiresParameterWinsOverTheExpiresHeader() {
        Response response = register(SipMessages.register("1001").contact(CONTACT + ";expires=120").expires(1800)
                .build());

        assertEquals(List.of("sip:1001@192.168.1.10:5060;transport=udp;120"), contacts(response));
    }

    @Test
    void withoutAnyIntervalTheDefaultIsGranted() {
        Response response = register(SipMessages.register("1001").contact(CONTACT).build());

        assertEquals(List.of("sip:1001@192.168.1.10:5060;transport=udp;3600"), contacts(response));
    }

    @Test
    void aLongerIntervalIsCappedAtMaxExpires() {
        Response capped = register(SipMessages.register("1001").contact(CONTACT).expires(86400).build());
        assertEquals(List.of("sip:1001@192.168.1.10:5060;transport=udp;3600"), contacts(capped));

        Response huge = register(SipMessages.register("1001").cseq(2)
                .contact(CONTACT + ";expires=99999999999999").build());
        assertEquals(List.of("sip:1001@192.168.1.10:5060;transport=udp;3600"), contacts(huge));
    }

    @Test
    void anIntervalBelowMinExpiresGets423WithMinExpiresAndChangesNothing() {
        Response response = register(SipMessages.register("1001").contact(CONTACT).expires(30).build());

        assertEquals(423, response.getStatusCode());
        assertEquals(60, ((MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME)).getExpires());
        assertTrue(registrar.bindingsOfDevice(PHONE.deviceName()).isEmpty());
    }

    @Test
    void aConfiguredMinExpiresAnswersAShorterInterval423NamingIt() {
        registrar = registrar(new RegistrarSettings(120, 3600, 3600, 1));
        Response response = register(SipMessages.register("1001").contact(CONTACT).expires(90).build());

        assertEquals(423, response.getStatusCode());
        assertEquals(120, ((MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME)).getExpires());
    }

    @Test
    void expiresZeroRemovesThatBinding() {
        register(SipMessages.register("1001").contact(CONTACT).build());
        Response response = register(SipMessages.register("1001").cseq(2).contact(CONTACT).expires(0).build());

        assertEquals(200, response.getStatusCode());
        assertEquals(List.of(), contacts(response));
        assertTrue(registrar.bindingsForDirectoryNumber("1001").isEmpty());
    }

    @Test
    void anEquivalentlyWrittenUriIsTheSameBinding() {
        register(SipMessages.register("1001").contact("<sip:1001@PHONE.example.com:5060>").build());
        Response response = register(SipMessages.register("1001").cseq(2)
                .contact("<sip:1001@phone.example.com:5060>;expires=0").build());

        assertEquals(List.of(), contacts(response));
    }

    @Test
    void wildcardWithExpiresZeroRemovesEveryBindingOfTheLine() {
        registrar = registrar(new RegistrarSettings(60, 3600, 3600, 3));
        register(SipMessages.register("1001").contact("<sip:a@192.168.1.10>").contact("<sip:b@192.168.1.11>")
                .build());
        register(SipMessages.register("1002").contact("<sip:1002@192.168.1.10>").build());
        assertEquals(2, registrar.bindingsForDirectoryNumber("1001").size());

        Response response = register(SipMessages.register("1001").cseq(2).contact("*").expires(0).build());

        assertEquals(200, response.getStatusCode());
        assertEquals(List.of(), contacts(response));
        assertTrue(registrar.bindingsForDirectoryNumber("1001").isEmpty());
        assertEquals(1, registrar.bindingsForDirectoryNumber("1002").size(), "the other line keeps its binding");
    }

    @Test
    void wildcardWithoutExpiresZeroIsABadRequest() {
        register(SipMessages.register("1001").contact(CONTACT).build());

        Response noExpires = register(SipMessages.register("1001").cseq(2).contact("*").build());
        Response nonZero = register(SipMessages.register("1001").cseq(3).contact("*").expires(60).build());

        assertEquals(400, noExpires.getStatusCode());
        assertEquals("Contact: * requires Expires: 0", noExpires.getReasonPhrase());
        assertEquals(400, nonZero.getStatusCode());
        assertEquals(1, registrar.bindingsForDirectoryNumber("1001").size());
    }

    @Test
    void wildcardBesideAnotherContactIsABadRequest() {
        Response response = register(SipMessages.register("1001").contact("*").contact(CONTACT).expires(0).build());

        assertEquals(400, response.getStatusCode());
        assertEquals("Contact: * must be the only Contact", response.getReasonPhrase());
    }

    @Test
    void wildcardWithAStaleCSeqOfTheSameCallIdIsRefused() {
        register(SipMessages.register("1001").cseq(5).contact(CONTACT).build());

        Response response = register(SipMessages.register("1001").cseq(5).contact("*").expires(0).build());

        assertEquals(500, response.getStatusCode());
        assertEquals(1, registrar.bindingsForDirectoryNumber("1001").size());
    }

    @Test
    void sameCallIdWithLowerOrEqualCSeqIsRefusedAndChangesNothing() {
        register(SipMessages.register("1001").cseq(10).contact(CONTACT).expires(600).build());

        Response equal = register(SipMessages.register("1001").cseq(10).contact(CONTACT).expires(0).build());
        Response lower = register(SipMessages.register("1001").cseq(9).contact(CONTACT).expires(3600).build());

        assertEquals(500, equal.getStatusCode());
        assertEquals("Out of order CSeq for this Call-ID", equal.getReasonPhrase());
        assertEquals(500, lower.getStatusCode());
        Binding binding = registrar.bindingsForDirectoryNumber("1001").get(0);
        assertEquals(10, binding.cseq());
        assertEquals(clock.instant().plusSeconds(600), binding.expiresAt());
    }

    @Test
    void aHigherCSeqRefreshesTheBinding() {
        register(SipMessages.register("1001").cseq(1).contact(CONTACT).expires(600).build());
        clock.advance(Duration.ofSeconds(500));

        Response response = register(SipMessages.register("1001").cseq(2).contact(CONTACT).expires(600).build());

        assertEquals(List.of("sip:1001@192.168.1.10:5060;transport=udp;600"), contacts(response));
        assertEquals(clock.instant().plusSeconds(600), registrar.bindingsForDirectoryNumber("1001").get(0).expiresAt());
    }

    @Test
    void aNewCallIdReplacesTheBindingWhateverItsCSeq() {
        register(SipMessages.register("1001").callId("boot-1").cseq(50).contact(CONTACT).build());

        Response response = register(SipMessages.register("1001").callId("boot-2").cseq(1).contact(CONTACT).build());

        assertEquals(200, response.getStatusCode());
        Binding binding = registrar.bindingsForDirectoryNumber("1001").get(0);
        assertEquals("boot-2", binding.callId());
        assertEquals(1, binding.cseq());
    }

    @Test
    void byDefaultANewContactReplacesTheOldOne() {
        register(SipMessages.register("1001").contact("<sip:1001@192.168.1.10:5060>").build());
        clock.advance(Duration.ofSeconds(10));

        Response response = register(SipMessages.register("1001").callId("after-dhcp").contact(
                "<sip:1001@192.168.1.99:5060>").build());

        assertEquals(List.of("sip:1001@192.168.1.99:5060;3600"), contacts(response));
        assertEquals(1, registrar.bindingsForDirectoryNumber("1001").size());
    }

    @Test
    void moreContactsPerLineKeepTheNewest() {
        registrar = registrar(new RegistrarSettings(60, 3600, 3600, 2));
        register(SipMessages.register("1001").callId("c1").contact("<sip:a@192.168.1.10>").build());
        clock.advance(Duration.ofSeconds(1));
        register(SipMessages.register("1001").callId("c2").contact("<sip:b@192.168.1.11>").build());
        clock.advance(Duration.ofSeconds(1));

        Response response = register(SipMessages.register("1001").callId("c3").contact("<sip:c@192.168.1.12>")
                .build());

        assertEquals(List.of("sip:b@192.168.1.11;3599", "sip:c@192.168.1.12;3600"), contacts(response));
    }

    @Test
    void moreContactsInOneRequestThanALineMayHoldIsForbidden() {
        Response response = register(SipMessages.register("1001").contact("<sip:a@192.168.1.10>")
                .contact("<sip:b@192.168.1.11>").build());

        assertEquals(403, response.getStatusCode());
        assertTrue(registrar.bindingsOfDevice(PHONE.deviceName()).isEmpty());
    }

    @Test
    void aSameInstanceIdReplacesTheBindingEvenFromANewUri() {
        registrar = registrar(new RegistrarSettings(60, 3600, 3600, 2));
        String instance = ";+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
        register(SipMessages.register("1001").contact("<sip:1001@192.168.1.10>" + instance).build());

        Response response = register(SipMessages.register("1001").callId("new").contact(
                "<sip:1001@192.168.1.20>" + instance).build());

        assertEquals(List.of("sip:1001@192.168.1.20;3600"), contacts(response));
        ContactHeader listed = (ContactHeader) response.getHeader(ContactHeader.NAME);
        assertEquals("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", listed.getParameter("+sip.instance"));
        assertEquals("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>",
                registrar.bindingsForDirectoryNumber("1001").get(0).instanceId());
    }

    @Test
    void aQueryListsTheBindingsAndChangesNothing() {
        register(SipMessages.register("1001").cseq(1).contact(CONTACT).expires(600).build());
        clock.advance(Duration.ofSeconds(60));

        Response response = register(SipMessages.register("1001").cseq(2).build());

        assertEquals(200, response.getStatusCode());
        assertEquals(List.of("sip:1001@192.168.1.10:5060;transport=udp;540"), contacts(response));
        assertEquals(1, registrar.bindingsForDirectoryNumber("1001").get(0).cseq(), "a query stores nothing");
    }

    @Test
    void anUnparseableContactIsABadRequestNotAQuery() {
        register(SipMessages.register("1001").contact(CONTACT).build());

        Response response = register(SipMessages.register("1001").cseq(2).contact("this is << not a URI").build());

        assertEquals(400, response.getStatusCode());
        assertEquals("Malformed Contact header", response.getReasonPhrase());
    }

    @Test
    void anUnparseableExpiresIsABadRequest() {
        Response response = register(SipMessages.register("1001").contact(CONTACT).header("Expires: soon").build());

        assertEquals(400, response.getStatusCode());
        assertEquals("Malformed Expires header", response.getReasonPhrase());
    }

    @Test
    void aNonNumericExpiresParameterIsABadRequest() {
        Response response = register(SipMessages.register("1001").contact(CONTACT + ";expires=abc").build());

        assertEquals(400, response.getStatusCode());
        assertEquals("Malformed expires parameter in Contact", response.getReasonPhrase());
    }

    @Test
    void aContactThatIsNotASipUriIsABadRequest() {
        Response response = register(SipMessages.register("1001").contact("<http://192.168.1.10/>").build());

        assertEquals(400, response.getStatusCode());
        assertEquals("Contact must be a sip: or sips: URI", response.getReasonPhrase());
        assertTrue(registrar.bindingsOfDevice(PHONE.deviceName()).isEmpty());
    }

    @Test
    void aContactUriWithHeadersAPasswordOrAnEmptyUserIsABadRequestAndAPlainOneRegisters() {
        Response refused = register(SipMessages.register("1001")
                .contact("<sip:1001@192.168.1.10:5060?Route=%3Csip:evil.example%3E>").build());
        assertEquals(400, refused.getStatusCode());
        assertEquals("Contact URI with headers", refused.getReasonPhrase());
        assertTrue(registrar.bindingsOfDevice(PHONE.deviceName()).isEmpty());

        Response password = register(SipMessages.register("1001").cseq(2).contact("<sip::secret@192.168.1.10:5060>").build());
        assertEquals(400, password.getStatusCode());
        assertEquals("Contact URI with a password", password.getReasonPhrase());

        Response emptyUser = register(SipMessages.register("1001").cseq(3).contact("<sip:@192.168.1.10:5060>").build());
        assertEquals(400, emptyUser.getStatusCode(), "stored, it would read back as the user \"null\"");
        assertEquals("Malformed Contact URI", emptyUser.getReasonPhrase());
        assertTrue(registrar.bindingsOfDevice(PHONE.deviceName()).isEmpty());

        assertEquals(200, register(SipMessages.register("1001").cseq(4).contact("<sip:1001@192.168.1.10:5060>").build())
                .getStatusCode());
    }

    @Test
    void aDirectoryNumberThatIsNotALineOfTheDeviceIsForbidden() {
        Response response = register(SipMessages.register("2001").contact("<sip:2001@192.168.1.10>").build());

        assertEquals(403, response.getStatusCode());
        assertTrue(registrar.bindingsForDirectoryNumber("2001").isEmpty());
    }

    @Test
    void eachLineOfAPhoneRegistersOnItsOwn() {
        register(SipMessages.register("1001").contact("<sip:1001@192.168.1.10>").build());
        register(SipMessages.register("1002").callId("line-2").contact("<sip:1002@192.168.1.10>").build());

        assertEquals("sip:1001@192.168.1.10", registrar.bindingsForDirectoryNumber("1001").get(0).contactUri());
        assertEquals("sip:1002@192.168.1.10", registrar.bindingsForDirectoryNumber("1002").get(0).contactUri());
        assertEquals(2, registrar.bindingsOfDevice(PHONE.deviceName()).size());
    }

    @Test
    void expiredBindingsAreNeitherRoutedNorListedAndArePurged() {
        register(SipMessages.register("1001").contact(CONTACT).expires(60).build());
        register(SipMessages.register("1002").callId("line-2").contact("<sip:1002@192.168.1.10>").expires(600)
                .build());
        clock.advance(Duration.ofSeconds(60));

        assertTrue(registrar.bindingsForDirectoryNumber("1001").isEmpty());
        assertTrue(registrar.bindingFrom(source).map(b -> b.addressOfRecord().equals("1002")).orElse(false));
        assertEquals(List.of(), contacts(register(SipMessages.register("1001").cseq(2).build())));
        assertEquals(1, registrar.purgeExpired());
        assertEquals(0, registrar.purgeExpired());
        assertEquals(1, registrar.bindingsOfDevice(PHONE.deviceName()).size());
    }

    @Test
    void aRegisteredDeviceIsRecognisedByTheExactSourceItRegisteredFrom() throws Exception {
        register(SipMessages.register("1001").contact(CONTACT).build());

        assertEquals(PHONE.deviceName(), registrar.bindingFrom(source).orElseThrow().deviceName());
        assertEquals(PHONE.deviceName(), registrar.bindingFrom(source("203.0.113.7", 40123, Transport.UDP))
                .orElseThrow().deviceName(), "another InetAddress of the same host");
        assertFalse(registrar.bindingFrom(source("203.0.113.7", 40124, Transport.UDP)).isPresent());
        assertFalse(registrar.bindingFrom(source("203.0.113.7", 40123, Transport.TCP)).isPresent());
        assertFalse(registrar.bindingFrom(source("203.0.113.8", 40123, Transport.UDP)).isPresent());
    }

    @Test
    void ipv6SourcesAreStoredAndRecognised() throws Exception {
        SourceAddress v6 = source("2001:db8::7", 5061, Transport.TLS);
        registrar.register(SipMessages.register("1001").contact("<sips:1001@[2001:db8::7]:5061>").build(), PHONE, v6, FLOW).join();

        assertEquals(v6, registrar.bindingFrom(source("2001:DB8:0:0::7", 5061, Transport.TLS)).orElseThrow().source());
    }

    @Test
    void aVoicemailPortRegistersItsDirectoryNumber() throws Exception {
        DeviceIdentity port = new DeviceIdentity(DeviceIdentity.Kind.VOICEMAIL_PORT, "CiscoUM1-VI1", List.of("8000"),
                "vm-profile", "vmuser", null);

        Response response = registrar.register(SipMessages.register("8000").contact("<sip:8000@192.168.5.5:5061>")
                .build(), port, source("192.168.5.5", 5061, Transport.TLS), FLOW).join();

        assertEquals(200, response.getStatusCode());
        assertEquals("CiscoUM1-VI1", registrar.bindingsForDirectoryNumber("8000").get(0).deviceName());
    }

    @Test
    void aStoreThatCannotWriteGives503WithRetryAfterAndNever200() {
        store.close();

        Response response = register(SipMessages.register("1001").contact(CONTACT).build());

        assertEquals(503, response.getStatusCode());
        assertEquals("Registration could not be stored", response.getReasonPhrase());
        assertEquals(Registrar.STORE_RETRY_AFTER_SECONDS,
                ((javax.sip.header.RetryAfterHeader) response.getHeader("Retry-After")).getRetryAfter());
        assertTrue(registrar.bindingsForDirectoryNumber("1001").isEmpty(), "a binding never stored is not routed to");
    }

    @Test
    void aFailedCommitPutsTheLineBackAsItWas() {
        register(SipMessages.register("1001").contact(CONTACT).expires(600).build());
        store.close();

        Response response = register(SipMessages.register("1001").cseq(2).contact("<sip:other@192.168.1.99>")
                .expires(600).build());

        assertEquals(503, response.getStatusCode());
        assertEquals("sip:1001@192.168.1.10:5060;transport=udp",
                registrar.bindingsForDirectoryNumber("1001").get(0).contactUri());
    }

    @Test
    void everyRegistrationAnswered200IsInTheStoreForTheNextRegistrar() throws Exception {
        // Many lines at once from many threads: their commits are grouped, and none is lost.
        DeviceIdentity many = phone("SEPMANYLINES01",
                java.util.stream.IntStream.range(0, 400).mapToObj(i -> Integer.toString(5000 + i)).toList());
        List<java.util.concurrent.CompletableFuture<Response>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (int i = 0; i < 400; i++) {
            String number = Integer.toString(5000 + i);
            threads.execute(() -> answers.add(registrar.register(SipMessages.register(number)
                    .contact("<sip:" + number + "@192.168.1.10>").expires(600).build(), many, source, FLOW)));
        }
        threads.shutdown();
        assertTrue(threads.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS));
        for (java.util.concurrent.CompletableFuture<Response> answer : answers) {
            assertEquals(200, answer.join().getStatusCode());
        }

        registrar = registrar(RegistrarSettings.defaults());
        assertEquals(400, registrar.activeBindings());
        assertEquals(400, store.allActive(clock.instant()).size());
        assertEquals("sip:5123@192.168.1.10", registrar.bindingsForDirectoryNumber("5123").get(0).contactUri());
    }
}
