package org.sipshield.proxy.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.config.RegistrarSettings;
import org.sipshield.config.Transport;
import org.sipshield.proxy.b2bua.Hop;
import org.sipshield.testing.MutableClock;

/** What routing and classification read off the registrar's bindings. */
class RegisteredContactsTest {
    @TempDir
    Path dataDirectory;

    SqliteRegistrationStore store;
    Registrar registrar;
    RegisteredContacts contacts;

    @BeforeEach
    void open() throws Exception {
        store = SqliteRegistrationStore.open(dataDirectory);
        registrar = new Registrar(store, SipMessages.MESSAGES, SipMessages.HEADERS, RegistrarSettings.defaults(),
                new MutableClock(Instant.parse("2026-11-23T06:00:00Z")));
        contacts = new RegisteredContacts(registrar);
    }

    @AfterEach
    void close() {
        registrar.close();
        store.close();
    }

    @Test
    void aRegisteredNumberIsReachedAtItsContactOverTheTransportItRegisteredOn() throws Exception {
        assertTrue(contacts.contactOf("1001").isEmpty(), "an unregistered number has no contact");
        registrar.register(SipMessages.register("1001").contact("<sips:1001@192.168.1.10>").build(),
                RegistrarTest.PHONE, RegistrarTest.source("192.168.1.10", 40123, Transport.TLS)).join();

        // no port in the contact: routing picks it (the profile's SIP Phone Port over UDP, 5061 over TLS)
        assertEquals(new Hop("1001", "192.168.1.10", Hop.NO_PORT, Transport.TLS), contacts.contactOf("1001").orElseThrow());
        assertTrue(contacts.contactOf("1002").isEmpty(), "the device's other line did not register");
    }

    @Test
    void aDeviceIsRegisteredFromTheAddressAndPortOfItsBindingOnly() throws Exception {
        registrar.register(SipMessages.register("1001").contact(RegistrarTest.CONTACT).build(), RegistrarTest.PHONE,
                RegistrarTest.source("203.0.113.7", 40123, Transport.UDP)).join();

        String device = RegistrarTest.PHONE.deviceName();
        assertTrue(contacts.isRegisteredFrom(device, new InetSocketAddress("203.0.113.7", 40123)));
        assertFalse(contacts.isRegisteredFrom(device, new InetSocketAddress("203.0.113.7", 40124)), "another port");
        assertFalse(contacts.isRegisteredFrom(device, new InetSocketAddress("203.0.113.8", 40123)), "another address");
        assertFalse(contacts.isRegisteredFrom("SEPOTHER", new InetSocketAddress("203.0.113.7", 40123)), "another device");
        assertEquals(List.of(), registrar.bindingsOfDevice("SEPOTHER"));
    }
}
