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
        contacts = new RegisteredContacts(registrar, RegistrarTest.FLOW.nodeName());
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
                RegistrarTest.PHONE, RegistrarTest.source("192.168.1.10", 40123, Transport.TLS), RegistrarTest.FLOW).join();

        // no port in the contact: routing picks it (the profile's SIP Phone Port over UDP, 5061 over TLS)
        // and over the connection it registered from (its flow), whatever the Contact names
        assertEquals(new Hop("1001", "192.168.1.10", Hop.NO_PORT, Transport.TLS,
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("192.168.1.10"), 40123)), contacts.contactOf("1001").orElseThrow());
        assertTrue(contacts.contactOf("1002").isEmpty(), "the device's other line did not register");
    }

    @Test
    void aDeviceIsRegisteredFromTheAddressAndPortOfItsBindingOnly() throws Exception {
        registrar.register(SipMessages.register("1001").contact(RegistrarTest.CONTACT).build(), RegistrarTest.PHONE,
                RegistrarTest.source("203.0.113.7", 40123, Transport.UDP), RegistrarTest.FLOW).join();

        String device = RegistrarTest.PHONE.deviceName();
        assertTrue(contacts.isRegisteredFrom(device, new InetSocketAddress("203.0.113.7", 40123)));
        assertFalse(contacts.isRegisteredFrom(device, new InetSocketAddress("203.0.113.7", 40124)), "another port");
        assertFalse(contacts.isRegisteredFrom(device, new InetSocketAddress("203.0.113.8", 40123)), "another address");
        assertFalse(contacts.isRegisteredFrom("SEPOTHER", new InetSocketAddress("203.0.113.7", 40123)), "another device");
        assertEquals(List.of(), registrar.bindingsOfDevice("SEPOTHER"));
    }

    /**
     * A TCP or TLS phone is reached only over its connection, on the node holding it: from any other
     * node its number has no contact, only the node holding it (routing goes through that node, or
     * answers 480), never a new connection to its Contact.
     * A UDP phone is reached from any node.
     */
    @Test
    void aConnectionHeldByAnotherNodeIsNotAContactHereButAUdpSourceIs() throws Exception {
        Flow otherNode = new Flow("node-other", java.net.InetAddress.getByName("127.0.0.3"), 5061);
        registrar.register(SipMessages.register("1001").contact("<sip:1001@192.168.1.10:5061;transport=tls>").build(),
                RegistrarTest.PHONE, RegistrarTest.source("198.51.100.4", 40123, Transport.TLS), otherNode).join();
        assertTrue(contacts.contactOf("1001").isEmpty(), "a TLS flow held by node-other was routed to from here");
        assertEquals(java.util.Optional.of("node-other"), contacts.nodeHolding("1001"));
        RegisteredContacts atHolder = new RegisteredContacts(registrar, "node-other");
        assertTrue(atHolder.contactOf("1001").isPresent(), "the node holding the connection reaches it");
        assertTrue(atHolder.nodeHolding("1001").isEmpty());
        assertTrue(new RegisteredContacts(registrar, null).contactOf("1001").isPresent(),
                "bindings not shared (SQLite): the one node holds them all, whatever name wrote them");

        registrar.register(SipMessages.register("1001").cseq(2).contact("<sip:1001@198.51.100.4:5062>").build(),
                RegistrarTest.PHONE, RegistrarTest.source("198.51.100.4", 5062, Transport.UDP), otherNode).join();
        assertEquals(new Hop("1001", "198.51.100.4", 5062, Transport.UDP), contacts.contactOf("1001").orElseThrow());
        assertTrue(contacts.nodeHolding("1001").isEmpty(), "a UDP phone is reached from here");
    }
}
