package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.proxy.peers.TlsSipPeer;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * A TLS phone is reached over the connection it registered on, as a phone behind NAT must be: its
 * Contact names an address where nothing listens (its private address, a port it never opened),
 * and the call, its ACK and its BYE all arrive on its connection all the same. Before flows, the
 * proxy tried a new connection to the Contact and the call failed.
 */
class TlsPhoneFlowTest {
    static final String CARRIER = "127.0.0.2";
    static final String PHONE = "127.0.0.5";
    /** Where the phone's Contact claims it is: a loopback address nothing listens on. */
    static final String PRIVATE_CONTACT = "127.0.0.77:5099";
    static final String DEVICE = "SEP000000004001";

    @TempDir
    static Path dataDirectory;

    @TempDir
    static Path pki;

    static RunningProxy proxy;
    static Path[] carrierCertificate;
    static Path[] phoneCertificate;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = new TestCertificates(pki);
        carrierCertificate = certificates.issue(CallSecurityStatusTest.CARRIER_NAME, true, CallSecurityStatusTest.CARRIER_NAME);
        phoneCertificate = certificates.issue(DEVICE, true, DEVICE);
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        proxy = new RunningProxy(dataDirectory, CallSecurityStatusTest.encryptedCarrierAndPhones(CARRIER, Map.of(DEVICE, "4001"),
                """
                routePatterns:
                  - {pattern: "7!", trunk: carrier}
                """));
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aCallItsAckAndItsByeReachAPhoneWhoseContactNamesNoListenerOverItsConnection() throws Exception {
        int port = proxy.tlsPort;
        try (TlsSipPeer phone = new TlsSipPeer(PHONE, port, phoneCertificate);
                TlsSipPeer carrier = new TlsSipPeer(CARRIER, port, carrierCertificate)) {
            String contact = "<sip:4001@" + PRIVATE_CONTACT + ";transport=tls>";
            CallSecurityStatusTest.registerContact(phone, port, "4001", null, contact);

            String callId = "flow-" + System.nanoTime();
            carrier.send(CallSecurityStatusTest.request(carrier, "4001", "INVITE", callId, 1, null,
                    CallSecurityStatusTest.sdp(carrier.localIp(), true), port));
            String invite = CallSecurityStatusTest.awaitRequest(phone, "INVITE");
            assertTrue(invite.startsWith("INVITE sip:4001@" + PRIVATE_CONTACT), "the Request-URI is the Contact:\n" + invite);
            // the answer's Contact names the private address again, as such a phone's would
            phone.send(CallSecurityStatusTest.answer(invite, 200, "phone-tag", true, true, null)
                    .replace("Content-Type:", "Contact: " + contact + "\r\nContent-Type:"));
            String ok = carrier.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
            String toTag = CallSecurityStatusTest.header(ok, "To").replaceAll(".*;tag=([^;]+).*", "$1");
            carrier.send(CallSecurityStatusTest.request(carrier, "4001", "ACK", callId, 1, toTag, null, port));
            CallSecurityStatusTest.awaitRequest(phone, "ACK");

            carrier.send(CallSecurityStatusTest.request(carrier, "4001", "BYE", callId, 2, toTag, null, port));
            String bye = awaitSkippingUpdates(phone, "BYE");
            phone.send(CallSecurityStatusTest.answer(bye, 200, "phone-tag", false, true, null));
            String byeOk = carrier.receiveFinal();
            assertTrue(byeOk.startsWith("SIP/2.0 200 "), byeOk);
            // the leg's flow goes with its dialog (and the status UPDATEs' with theirs): nothing stays pinned
            for (int i = 0; i < 600 && proxy.server.phoneFlowsPinned() > 0; i++) {
                Thread.sleep(100);
            }
            assertEquals(0, proxy.server.phoneFlowsPinned(), "a leg's flow outlived it");
        }
    }

    /**
     * From the attacker's side: a phone of ours registers a Contact that names the carrier's own
     * destination (user 7100, the carrier's address and port) and has itself called, so its flow is
     * in use. A call to 7100, routed to the carrier, must go to the carrier (where nothing listens
     * here: it fails), never down the phone's connection. A flow belongs to the leg it was made for.
     */
    @Test
    void aContactNamingTheCarriersAddressDrawsNoCallMeantForTheCarrier() throws Exception {
        int port = proxy.tlsPort;
        try (TlsSipPeer phone = new TlsSipPeer(PHONE, port, phoneCertificate);
                TlsSipPeer carrier = new TlsSipPeer(CARRIER, port, carrierCertificate)) {
            String lure = "<sip:7100@" + CARRIER + ":5061;transport=tls>";
            CallSecurityStatusTest.registerContact(phone, port, "4001", null, lure);

            String first = "lure-" + System.nanoTime();
            carrier.send(CallSecurityStatusTest.request(carrier, "4001", "INVITE", first, 1, null,
                    CallSecurityStatusTest.sdp(carrier.localIp(), true), port));
            String invite = CallSecurityStatusTest.awaitRequest(phone, "INVITE");
            assertTrue(invite.startsWith("INVITE sip:7100@" + CARRIER + ":5061"), invite);

            String second = "meant-for-carrier-" + System.nanoTime();
            carrier.send(CallSecurityStatusTest.request(carrier, "7100", "INVITE", second, 1, null,
                    CallSecurityStatusTest.sdp(carrier.localIp(), true), port));
            for (int i = 0; i < 5; i++) {
                String atPhone = phone.receive();
                if (atPhone.startsWith("(")) {
                    break;
                }
                assertTrue(!atPhone.contains(second), "the carrier's call came down the phone's connection:\n" + atPhone);
            }
            // it went to the carrier's destination, which refuses connections here: the call fails there
            String failed = "(none)";
            for (int i = 0; i < 10 && !(failed.contains(second) && !failed.matches("(?s)SIP/2\\.0 1\\d\\d .*")); i++) {
                failed = carrier.receive();
            }
            assertTrue(failed.matches("(?s)SIP/2\\.0 [45]\\d\\d .*") && failed.contains(second),
                    "the call meant for the carrier: " + failed);
        }
    }

    /** The next request of this method, answering the call's security-status UPDATEs on the way. */
    private static String awaitSkippingUpdates(TlsSipPeer phone, String method) throws Exception {
        for (int i = 0; i < 5; i++) {
            String message = phone.receive();
            if (message.startsWith(method + " ")) {
                return message;
            }
            assertTrue(message.startsWith("UPDATE "), "expected " + method + ", got:\n" + message);
            phone.send(CallSecurityStatusTest.answer(message, 200, "phone-tag", false, true, null));
        }
        throw new AssertionError("no " + method + " came");
    }
}
