package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
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
 * The call security status as the reference's SIP line messaging sends it: a TLS carrier (whose
 * profile transmits it) calls an Encrypted phone over TLS, both with SRTP: the carrier's 200 says
 * Encrypted, and the phone, which Allows UPDATE, is told the same in an UPDATE after the ACK. The
 * carrier then re-INVITEs without SRTP: its leg is a TLS trunk leg without SRTP, so the call is
 * NotAuthenticated, which the carrier reads in the re-INVITE's 200 and the phone in a second UPDATE.
 * With media.encryptedPhoneFallback REFUSE, an RTP offer towards the Encrypted phone gets 488.
 * The call's record names each leg's TLS suite as negotiated and its SRTP suite as last negotiated.
 */
class CallSecurityStatusTest {
    static final String CARRIER = "127.0.0.2";
    static final String PHONE = "127.0.0.5";
    static final String CARRIER_NAME = "sbc.carrier.example";
    static final String DEVICE = "SEP000000003001";

    @TempDir
    static Path dataDirectory;

    @TempDir
    static Path pki;

    static TestCertificates certificates;
    static RunningProxy proxy;
    static Path[] carrierCertificate;
    static Path[] phoneCertificate;

    static String model(String fallback) {
        return """
                media:
                  encryptedPhoneFallback: %s
                sipTrunkSecurityProfiles:
                  - name: Encrypted carrier
                    deviceSecurityMode: Encrypted
                    incomingPort: ${tlsPort}
                    secureCertificateSubjectOrSubjectAlternateName: "%s"
                    transmitSecurityStatus: true
                sipTrunks:
                  - {name: carrier, securityProfile: Encrypted carrier, destinations: ["%s:5061"], srtpAllowed: true}
                phoneSecurityProfiles:
                  - name: Encrypted phone
                    deviceSecurityMode: Encrypted
                    transportType: TLS
                phones:
                  - deviceName: %s
                    securityProfile: Encrypted phone
                    lines: ["3001"]
                """.formatted(fallback, CARRIER_NAME, CARRIER, DEVICE);
    }

    @BeforeAll
    static void start() throws Exception {
        certificates = new TestCertificates(pki);
        carrierCertificate = certificates.issue(CARRIER_NAME, true, CARRIER_NAME);
        phoneCertificate = certificates.issue(DEVICE, true, DEVICE);
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        proxy = new RunningProxy(dataDirectory, model("RTP"));
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void theCarrierAndThePhoneAreToldEncryptedThenNotAuthenticatedWhenTheCarrierDropsSrtp() throws Exception {
        try (TlsSipPeer phone = new TlsSipPeer(PHONE, proxy.tlsPort, phoneCertificate);
                TlsSipPeer carrier = new TlsSipPeer(CARRIER, proxy.tlsPort, carrierCertificate);
                org.sipshield.proxy.hostile.SecurityLog records = new org.sipshield.proxy.hostile.SecurityLog("sipshield.cdr")) {
            register(phone);
            String callId = "status-" + System.nanoTime();
            String invite = request(carrier, "INVITE", callId, 1, null, sdp(carrier.localIp(), true));
            carrier.send(invite);

            String atPhone = awaitRequest(phone, "INVITE");
            phone.send(answer(atPhone, 200, "phone-tag", true, phone));
            String ok = carrier.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=Encrypted", header(ok, "Call-Info"), ok);
            String toTag = header(ok, "To").replaceAll(".*;tag=([^;]+).*", "$1");
            carrier.send(request(carrier, "ACK", callId, 1, toTag, null));

            String update = awaitRequest(phone, "UPDATE");
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=Encrypted", header(update, "Call-Info"), update);
            phone.send(answer(update, 200, "phone-tag", false, null));

            // the carrier drops SRTP on its leg: RTP/AVP, no a=crypto
            carrier.send(request(carrier, "INVITE", callId, 2, toTag, sdp(carrier.localIp(), false)));
            String reInvite = awaitRequest(phone, "INVITE");
            phone.send(answer(reInvite, 200, "phone-tag", true, phone));
            String reOk = carrier.receiveFinal();
            assertTrue(reOk.startsWith("SIP/2.0 200 "), reOk);
            assertTrue(!reOk.contains("a=crypto"), "the carrier's leg kept SRTP:\n" + reOk);
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=NotAuthenticated", header(reOk, "Call-Info"), reOk);
            carrier.send(request(carrier, "ACK", callId, 2, toTag, null));

            String secondUpdate = awaitRequest(phone, "UPDATE");
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=NotAuthenticated", header(secondUpdate, "Call-Info"),
                    secondUpdate);
            phone.send(answer(secondUpdate, 200, "phone-tag", false, null));

            carrier.send(request(carrier, "BYE", callId, 3, toTag, null));
            String bye = awaitRequest(phone, "BYE");
            phone.send(answer(bye, 200, "phone-tag", false, null));
            String byeOk = carrier.receiveFinal();
            assertTrue(byeOk.startsWith("SIP/2.0 200 "), byeOk);

            for (int i = 0; i < 600 && records.lines("").isEmpty(); i++) {
                Thread.sleep(50);
            }
            assertEquals(1, records.lines("").size(), records.lines("").toString());
            var record = new com.fasterxml.jackson.databind.ObjectMapper().readTree(records.lines("").get(0));
            assertEquals("TLS", record.at("/legA/transport").asText(), record.toString());
            assertEquals(carrier.cipherSuite(), record.at("/legA/tlsSuite").asText(), record.toString());
            assertEquals("TLS", record.at("/legB/transport").asText(), record.toString());
            assertEquals(phone.cipherSuite(), record.at("/legB/tlsSuite").asText(), record.toString());
            assertEquals("RTP", record.at("/legA/srtpSuite").asText(), "the carrier dropped SRTP: " + record);
            assertTrue(record.at("/legB/srtpSuite").asText().startsWith("AES"), record.toString());
            assertEquals("NotAuthenticated", record.get("security").asText(), record.toString());
            assertEquals("caller", record.get("endedBy").asText(), record.toString());
        }
    }

    /**
     * The status over every stream, per the default Secure Call Icon Display Policy (all media but
     * BFCP and iX must be encrypted): secure audio with video in the clear is not Encrypted (on the
     * carrier's trunk leg, as any trunk leg without SRTP: NotAuthenticated); secure audio and video
     * with a BFCP stream in the clear is Encrypted.
     */
    @Test
    void videoInTheClearMakesTheCallNotEncryptedAndEncryptedVideoWithClearBfcpEncrypted() throws Exception {
        try (TlsSipPeer phone = new TlsSipPeer(PHONE, proxy.tlsPort, phoneCertificate);
                TlsSipPeer carrier = new TlsSipPeer(CARRIER, proxy.tlsPort, carrierCertificate)) {
            register(phone);
            String callId = "video-status-" + System.nanoTime();
            String audio = sdp(carrier.localIp(), true);
            carrier.send(request(carrier, "INVITE", callId, 1, null, audio + "m=video 40002 RTP/AVP 96\r\n"
                    + "a=rtpmap:96 H264/90000\r\n"));
            String atPhone = awaitRequest(phone, "INVITE");
            phone.send(answer(atPhone, 200, "phone-tag", mirror(atPhone, phone.localIp()), phone));
            String ok = carrier.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
            assertTrue(ok.contains("m=video ") && !ok.contains("m=video 0 "), "the video crossed:\n" + ok);
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=NotAuthenticated", header(ok, "Call-Info"), ok);
            String toTag = header(ok, "To").replaceAll(".*;tag=([^;]+).*", "$1");
            carrier.send(request(carrier, "ACK", callId, 1, toTag, null));
            String update = awaitRequest(phone, "UPDATE");
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=NotAuthenticated", header(update, "Call-Info"), update);
            phone.send(answer(update, 200, "phone-tag", false, null));

            byte[] key = new byte[30];
            new SecureRandom().nextBytes(key);
            carrier.send(request(carrier, "INVITE", callId, 2, toTag, audio + "m=video 40002 RTP/SAVP 96\r\n"
                    + "a=rtpmap:96 H264/90000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
                    + Base64.getEncoder().encodeToString(key) + "\r\nm=application 40004 UDP/BFCP *\r\na=floorctrl:c-only\r\n"));
            String reInvite = awaitRequest(phone, "INVITE");
            phone.send(answer(reInvite, 200, "phone-tag", mirror(reInvite, phone.localIp()), phone));
            String reOk = carrier.receiveFinal();
            assertTrue(reOk.startsWith("SIP/2.0 200 ") && reOk.contains(" UDP/BFCP *"), reOk);
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=Encrypted", header(reOk, "Call-Info"), reOk);
            carrier.send(request(carrier, "ACK", callId, 2, toTag, null));
            String secondUpdate = awaitRequest(phone, "UPDATE");
            assertEquals("<urn:X-cisco-remotecc:callinfo>;security=Encrypted", header(secondUpdate, "Call-Info"), secondUpdate);
            phone.send(answer(secondUpdate, 200, "phone-tag", false, null));

            carrier.send(request(carrier, "BYE", callId, 3, toTag, null));
            String bye = awaitRequest(phone, "BYE");
            phone.send(answer(bye, 200, "phone-tag", false, null));
            assertTrue(carrier.receiveFinal().startsWith("SIP/2.0 200 "));
        }
    }

    /** The phone's answer to an offer: each stream on a port of its own, SRTP ones with AES_CM_128_HMAC_SHA1_80 and a fresh key. */
    private static String mirror(String offer, String address) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=phone 1 1 IN IP4 " + address + "\r\ns=-\r\nc=IN IP4 " + address
                + "\r\nt=0 0\r\n");
        int port = 41000;
        for (String section : offer.split("\r?\n\r?\n", 2)[1].split("(?m)^(?=m=)")) {
            if (!section.startsWith("m=")) {
                continue;
            }
            String[] m = section.lines().findFirst().orElseThrow().split(" ", 4);
            sdp.append(m[0]).append(' ').append(m[1].equals("0") ? 0 : port).append(' ').append(m[2]).append(' ').append(m[3])
                    .append("\r\n");
            port += 2;
            java.util.regex.Matcher tag = java.util.regex.Pattern.compile("a=crypto:(\\d+) AES_CM_128_HMAC_SHA1_80 ").matcher(section);
            if (m[2].startsWith("RTP/SAVP") && tag.find()) {
                byte[] key = new byte[30];
                new SecureRandom().nextBytes(key);
                sdp.append("a=crypto:").append(tag.group(1)).append(" AES_CM_128_HMAC_SHA1_80 inline:")
                        .append(Base64.getEncoder().encodeToString(key)).append("\r\n");
            }
        }
        return sdp.toString();
    }

    @Test
    void withTheRefuseFallbackAnRtpOfferTowardsAnEncryptedPhoneGets488() throws Exception {
        try (RunningProxy strict = new RunningProxy(dataDirectory.resolve("strict"), model("REFUSE"))) {
            new TrustStore(dataDirectory.resolve("strict"), CertificatePurpose.SIP)
                    .add(Files.readAllBytes(certificates.caCertificate()));
            try (TlsSipPeer phone = new TlsSipPeer(PHONE, strict.tlsPort, phoneCertificate);
                    TlsSipPeer carrier = new TlsSipPeer(CARRIER, strict.tlsPort, carrierCertificate)) {
                register(phone, strict.tlsPort);
                carrier.send(request(carrier, "INVITE", "refused-" + System.nanoTime(), 1, null, sdp(carrier.localIp(), false),
                        strict.tlsPort));
                String refused = carrier.receiveFinal();
                assertTrue(refused.startsWith("SIP/2.0 488 "), refused);
                assertEquals("(no answer within 5 s)", phone.receive(), "the Encrypted phone was called without SRTP");
            }
        }
    }

    private static void register(TlsSipPeer phone) throws Exception {
        register(phone, proxy.tlsPort);
    }

    private static void register(TlsSipPeer phone, int port) throws Exception {
        register(phone, port, "3001", null);
    }

    /** userAgent: a User-Agent header's value, or null for none. */
    static void register(TlsSipPeer phone, int port, String number, String userAgent) throws Exception {
        register(phone, port, number, userAgent, phone.localIp() + ":" + phone.localPort());
    }

    /** contactAddress: the host:port the Contact names (a phone behind NAT names its private one). */
    static void register(TlsSipPeer phone, int port, String number, String userAgent, String contactAddress) throws Exception {
        registerContact(phone, port, number, userAgent, "<sip:" + number + "@" + contactAddress + ";transport=tls>");
    }

    /** contact: the whole Contact value, whatever user and address it names. */
    static void registerContact(TlsSipPeer phone, int port, String number, String userAgent, String contact)
            throws Exception {
        phone.send("REGISTER sip:127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + phone.localIp() + ":" + phone.localPort() + ";branch=z9hG4bK-reg-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:" + number + "@127.0.0.1>;tag=reg1\r\nTo: <sip:" + number + "@127.0.0.1>\r\n"
                + "Call-ID: reg-" + System.nanoTime() + "\r\nCSeq: 1 REGISTER\r\nContact: " + contact + "\r\n"
                + (userAgent == null ? "" : "User-Agent: " + userAgent + "\r\n")
                + "Expires: 600\r\nContent-Length: 0\r\n\r\n");
        String ok = phone.receiveFinal();
        assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
    }

    /**
     * An Encrypted carrier over TLS (its certificate names CARRIER_NAME) at carrierAddress and
     * Encrypted TLS phones, each "deviceName: line"; then extraYaml (routes...).
     */
    static String encryptedCarrierAndPhones(String carrierAddress, Map<String, String> phones, String extraYaml) {
        StringBuilder devices = new StringBuilder();
        phones.forEach((device, line) -> devices.append("  - {deviceName: ").append(device)
                .append(", securityProfile: Encrypted phone, lines: [\"").append(line).append("\"]}\n"));
        return """
                sipTrunkSecurityProfiles:
                  - name: Encrypted carrier
                    deviceSecurityMode: Encrypted
                    incomingPort: ${tlsPort}
                    secureCertificateSubjectOrSubjectAlternateName: "%s"
                sipTrunks:
                  - {name: carrier, securityProfile: Encrypted carrier, destinations: ["%s:5061"], srtpAllowed: true}
                phoneSecurityProfiles:
                  - name: Encrypted phone
                    deviceSecurityMode: Encrypted
                    transportType: TLS
                phones:
                """.formatted(CARRIER_NAME, carrierAddress) + devices + extraYaml;
    }

    private static String request(TlsSipPeer carrier, String method, String callId, int cseq, String toTag, String sdp) {
        return request(carrier, method, callId, cseq, toTag, sdp, proxy.tlsPort);
    }

    private static String request(TlsSipPeer carrier, String method, String callId, int cseq, String toTag, String sdp,
            int port) {
        return request(carrier, "3001", method, callId, cseq, toTag, sdp, port);
    }

    /** The carrier's request to a number behind the proxy's TLS port. */
    static String request(TlsSipPeer carrier, String number, String method, String callId, int cseq, String toTag,
            String sdp, int port) {
        String body = sdp == null ? "" : sdp;
        return method + " sip:" + number + "@127.0.0.1:" + port + ";transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + carrier.localIp() + ":" + carrier.localPort() + ";branch=z9hG4bK-" + callId + "-"
                + cseq + method.charAt(0) + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:5550100@" + CARRIER_NAME + ">;tag=carrier-tag\r\n"
                + "To: <sip:" + number + "@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:5550100@" + carrier.localIp() + ":" + carrier.localPort() + ";transport=tls>\r\n"
                + (sdp == null ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** A UAS answer to a request: its Via, From, To (tagged), Call-ID and CSeq; an SDP answer with SRTP when asked. */
    private static String answer(String request, int status, String tag, boolean withSdp, TlsSipPeer contact) {
        return answer(request, status, tag, withSdp, true, contact);
    }

    /** srtp: the SDP answer (when withSdp) accepts SRTP, else it is plain RTP/AVP; contact: the answering phone, or null. */
    static String answer(String request, int status, String tag, boolean withSdp, boolean srtp, TlsSipPeer contact) {
        java.util.regex.Matcher offered = java.util.regex.Pattern.compile("a=crypto:(\\d+) AES_CM_128_HMAC_SHA1_80 ")
                .matcher(request);
        String body = withSdp ? sdp(contact == null ? PHONE : contact.localIp(), srtp, offered.find() ? offered.group(1) : "1") : "";
        return answer(request, status, tag, body, contact);
    }

    /** An answer with that body (empty: none). */
    static String answer(String request, int status, String tag, String body, TlsSipPeer contact) {
        StringBuilder response = new StringBuilder("SIP/2.0 " + status + " OK\r\n");
        for (String line : request.split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim() : "";
            if (name.equalsIgnoreCase("Via") || name.equalsIgnoreCase("v") || name.equalsIgnoreCase("From")
                    || name.equalsIgnoreCase("Call-ID") || name.equalsIgnoreCase("CSeq")) {
                response.append(line).append("\r\n");
            } else if (name.equalsIgnoreCase("To")) {
                response.append(line.contains(";tag=") ? line : line + ";tag=" + tag).append("\r\n");
            }
        }
        response.append("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n");
        if (contact != null) { // where the phone is: the port of its connection, which the proxy reuses
            String number = header(request, "To").replaceAll(".*sip:([^@>;]+)@.*", "$1");
            response.append("Contact: <sip:").append(number).append('@').append(contact.localIp()).append(':').append(contact.localPort())
                    .append(";transport=tls>\r\n");
        }
        if (!body.isEmpty()) {
            response.append("Content-Type: application/sdp\r\n");
        }
        return response.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body).toString();
    }

    /** An audio offer or answer; with SRTP, one AES_CM_128_HMAC_SHA1_80 line with a fresh key (any offer of ours lists it). */
    static String sdp(String address, boolean srtp) {
        return sdp(address, srtp, "1");
    }

    /** tag: an answer's a=crypto line carries the tag of the offered line it accepts (RFC 4568 5.1.2). */
    private static String sdp(String address, boolean srtp, String tag) {
        byte[] key = new byte[30];
        new SecureRandom().nextBytes(key);
        return "v=0\r\no=peer 1 1 IN IP4 " + address + "\r\ns=-\r\nc=IN IP4 " + address + "\r\nt=0 0\r\n"
                + "m=audio 40000 " + (srtp ? "RTP/SAVP" : "RTP/AVP") + " 0\r\na=rtpmap:0 PCMU/8000\r\n"
                + (srtp ? "a=crypto:" + tag + " AES_CM_128_HMAC_SHA1_80 inline:" + Base64.getEncoder().encodeToString(key) + "\r\n" : "");
    }

    /** The next request of this method on the connection, answering nothing else; bounded: 10 messages. */
    static String awaitRequest(TlsSipPeer peer, String method) throws Exception {
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            String message = peer.receive();
            if (message.startsWith(method + " ")) {
                return message;
            }
            seen.append(message.lines().findFirst().orElse(message)).append('\n');
            if (message.startsWith("(")) {
                break;
            }
        }
        throw new AssertionError("no " + method + " came; saw:\n" + seen);
    }

    static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }
}
