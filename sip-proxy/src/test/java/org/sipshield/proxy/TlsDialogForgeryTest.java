package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.proxy.peers.TlsSipPeer;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * Forged requests inside a TLS call, sent the way an insider would: another registered phone, with
 * a valid certificate of its own from the same CA, opens its own TLS connection and sends BYEs
 * carrying the call's real dialog identifiers (Call-ID and tags it could have learnt from a log or
 * a mirrored port) for each of the call's two legs; and a connection presenting no certificate at
 * all does the same. Each gets 403 and a SECURITY dialog-peer-mismatch line; the call goes on, and
 * the carrier's own BYE then ends it on both legs. (DialogForgeryTest does the same over UDP.)
 */
class TlsDialogForgeryTest {
    static final String CARRIER = "127.0.0.2";
    static final String PHONE = "127.0.0.5";
    static final String INSIDER = "127.0.0.6";
    static final String STRANGER = "127.0.0.9";
    static final String DEVICE = "SEP000000003001";
    static final String OTHER_DEVICE = "SEP000000003002";

    @TempDir
    static Path dataDirectory;

    @TempDir
    static Path pki;

    static RunningProxy proxy;
    static Path[] carrierCertificate;
    static Path[] phoneCertificate;
    static Path[] otherPhoneCertificate;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = new TestCertificates(pki);
        carrierCertificate = certificates.issue(CallSecurityStatusTest.CARRIER_NAME, true, CallSecurityStatusTest.CARRIER_NAME);
        phoneCertificate = certificates.issue(DEVICE, true, DEVICE);
        otherPhoneCertificate = certificates.issue(OTHER_DEVICE, true, OTHER_DEVICE);
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        proxy = new RunningProxy(dataDirectory, CallSecurityStatusTest.encryptedCarrierAndPhones(CARRIER,
                new java.util.LinkedHashMap<>(Map.of(DEVICE, "3001", OTHER_DEVICE, "3002")), ""));
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void forgedByesOnEitherLegFromAnotherDevicesCertificateOrNoneAreRefusedAndTheCallGoesOn() throws Exception {
        int port = proxy.tlsPort;
        try (SecurityLog log = new SecurityLog();
                TlsSipPeer phone = new TlsSipPeer(PHONE, port, phoneCertificate);
                TlsSipPeer carrier = new TlsSipPeer(CARRIER, port, carrierCertificate);
                TlsSipPeer insider = new TlsSipPeer(INSIDER, port, otherPhoneCertificate);
                TlsSipPeer stranger = new TlsSipPeer(STRANGER, port, null)) {
            CallSecurityStatusTest.register(phone, port, "3001", null);
            CallSecurityStatusTest.register(insider, port, "3002", null);
            String callId = "tls-forgery-" + System.nanoTime();
            carrier.send(CallSecurityStatusTest.request(carrier, "3001", "INVITE", callId, 1, null,
                    CallSecurityStatusTest.sdp(carrier.localIp(), true), port));
            String atPhone = CallSecurityStatusTest.awaitRequest(phone, "INVITE");
            phone.send(CallSecurityStatusTest.answer(atPhone, 200, "phone-tag", true, true, phone));
            String ok = carrier.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
            String toTag = CallSecurityStatusTest.header(ok, "To").replaceAll(".*;tag=([^;]+).*", "$1");
            carrier.send(CallSecurityStatusTest.request(carrier, "3001", "ACK", callId, 1, toTag, null, port));
            CallSecurityStatusTest.awaitRequest(phone, "ACK");

            // the carrier's leg, its exact dialog identifiers, from another device's connection and from one without a certificate
            for (TlsSipPeer forger : List.of(insider, stranger)) {
                forger.send(CallSecurityStatusTest.request(forger, "3001", "BYE", callId, 2, toTag, null, port));
                String refused = forger.receiveFinal();
                assertTrue(refused.startsWith("SIP/2.0 403 "), "a forged BYE on the carrier's leg: " + refused);
            }
            // the phone's leg: a BYE as if from the phone (its tag in From, ours in To)
            for (TlsSipPeer forger : List.of(insider, stranger)) {
                forger.send(byeAsThePhone(atPhone, forger, port));
                String refused = forger.receiveFinal();
                assertTrue(refused.startsWith("SIP/2.0 403 "), "a forged BYE on the phone's leg: " + refused);
            }
            // what reaches the phone meanwhile (the call's security status in an UPDATE) is answered; never a BYE
            for (int i = 0; i < 5; i++) {
                String atPhoneNow = phone.receive();
                if (atPhoneNow.startsWith("(")) {
                    break;
                }
                assertTrue(atPhoneNow.startsWith("UPDATE "), "a forged request reached the phone: " + atPhoneNow);
                phone.send(CallSecurityStatusTest.answer(atPhoneNow, 200, "phone-tag", false, true, null));
            }

            carrier.send(CallSecurityStatusTest.request(carrier, "3001", "BYE", callId, 3, toTag, null, port));
            String bye = CallSecurityStatusTest.awaitRequest(phone, "BYE");
            phone.send(CallSecurityStatusTest.answer(bye, 200, "phone-tag", false, true, null));
            String byeOk = carrier.receiveFinal();
            assertTrue(byeOk.startsWith("SIP/2.0 200 "), "the forged BYEs ended the call: " + byeOk);

            List<String> refused = log.lines("SECURITY dialog-peer-mismatch");
            assertEquals(4, refused.size(), String.valueOf(refused));
            assertEquals(2, refused.stream().filter(l -> l.contains("src=" + INSIDER)).count(), String.valueOf(refused));
            assertEquals(2, refused.stream().filter(l -> l.contains("src=" + STRANGER)).count(), String.valueOf(refused));
            // the two phones registered on the carrier's TLS port: phones of ours, not trunks that failed
            assertEquals(List.of(), log.lines("tls-peer-rejected"));
        }
    }

    /** A BYE in the phone's dialog with the proxy, written by someone else: From = the phone, To = us. */
    private static String byeAsThePhone(String inviteAtPhone, TlsSipPeer forger, int port) {
        String from = CallSecurityStatusTest.header(inviteAtPhone, "From");
        String to = CallSecurityStatusTest.header(inviteAtPhone, "To");
        String callId = CallSecurityStatusTest.header(inviteAtPhone, "Call-ID");
        return "BYE sip:" + from.replaceAll(".*<(sip:[^>]+)>.*", "$1") + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + forger.localIp() + ":" + forger.localPort() + ";branch=z9hG4bK-forged-" + System.nanoTime()
                + "\r\nMax-Forwards: 70\r\n"
                + "From: " + to + ";tag=phone-tag\r\n"
                + "To: " + from + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 7 BYE\r\nContent-Length: 0\r\n\r\n";
    }
}
