package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * Authenticated and Encrypted phones and voicemail ports are authenticated by their TLS
 * certificate, tried from the attacker's side with openssl s_client against the real proxy: no
 * certificate, another device's certificate, a certificate pinned for another device, a suite
 * below the mode, a pinned certificate naming a trunk; and the device's own certificate, from the
 * SIP trust store or pinned by its fingerprint, still gets through. Also: silence under
 * unknownSource DROP, and a pin follows reloads. baresip does the same as a real phone in
 * {@link TlsDeviceBaresipTest}.
 */
class TlsDeviceAuthenticationTest {
    static final String PHONE_A = "SEP00000000000A";
    static final String PHONE_B = "SEP00000000000B";
    static final String PINNED_PHONE = "SEP00000000000C";
    static final String AUTHENTICATED_PHONE = "SEP00000000000D";
    static final String DIGEST_PHONE = "SEP00000000000E";
    static final String TRUNK_NAME = "sbc.carrier.example";
    static final String VOICEMAIL_PORT = "CiscoUM1-VI1";

    @TempDir
    static Path dataDirectory;

    @TempDir
    static Path pki;

    static TestCertificates certificates;
    static RunningProxy proxy;
    /** Self-signed, pinned by PINNED_PHONE, but named after phone A: a pin stands for its device only. */
    static Path[] pinnedNamingA;
    /** Self-signed, pinned by SEP00000000000F, named like the TLS trunk: a pin never makes a trunk. */
    static Path[] pinnedNamingTrunk;

    @BeforeAll
    static void start() throws Exception {
        certificates = new TestCertificates(pki);
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        pinnedNamingA = selfSigned("pinned-c", PHONE_A);
        pinnedNamingTrunk = selfSigned("pinned-f", TRUNK_NAME);
        String ha1 = DigestChecksum.compute(DigestAlgorithm.MD5, "erin", "ccmsipline", "erin-secret".toCharArray())
                .toStoredForm().substring(4);
        proxy = new RunningProxy(dataDirectory, """
                sipTrunkSecurityProfiles:
                  - {name: Encrypted carrier, deviceSecurityMode: Encrypted, incomingPort: ${tlsPort},
                     secureCertificateSubjectOrSubjectAlternateName: "%s"}
                sipTrunks:
                  - {name: carrier, securityProfile: Encrypted carrier, destinations: ["192.0.2.10:5061"]}
                phoneSecurityProfiles:
                  - {name: Encrypted phone, deviceSecurityMode: Encrypted}
                  - {name: Authenticated phone, deviceSecurityMode: Authenticated}
                  - {name: Encrypted digest phone, deviceSecurityMode: Encrypted, enableDigestAuthentication: true}
                endUsers:
                  - {userId: erin, digestCredentials: {MD5: %s}}
                phones:
                  - {deviceName: %s, securityProfile: Encrypted phone, lines: ["3001"]}
                  - {deviceName: %s, securityProfile: Encrypted phone, lines: ["3002"]}
                  - {deviceName: %s, securityProfile: Encrypted phone, lines: ["3003"], certificateFingerprint: "%s"}
                  - {deviceName: %s, securityProfile: Authenticated phone, lines: ["3004"]}
                  - {deviceName: %s, securityProfile: Encrypted digest phone, digestUser: erin, lines: ["3005"]}
                  - {deviceName: SEP00000000000F, securityProfile: Encrypted phone, lines: ["3006"], certificateFingerprint: "%s"}
                voicemailPorts:
                  - {deviceName: %s, voicemailServer: CiscoUM1, securityProfile: Encrypted phone,
                     deviceSecurityMode: Encrypted, directoryNumber: "3901"}
                """.formatted(TRUNK_NAME, ha1, PHONE_A, PHONE_B, PINNED_PHONE, fingerprint(pinnedNamingA[0]),
                AUTHENTICATED_PHONE, DIGEST_PHONE, fingerprint(pinnedNamingTrunk[0]), VOICEMAIL_PORT));
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A self-signed certificate as a phone makes its own; returns {cert, key}. */
    static Path[] selfSigned(String file, String commonName) {
        ProcessOutput made = ProcessOutput.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", file + ".key", "-out", file + ".pem", "-subj", "/CN=" + commonName, "-days", "2"), pki, 60);
        assertEquals(0, made.exitCode(), made.output());
        return new Path[] {pki.resolve(file + ".pem"), pki.resolve(file + ".key")};
    }

    /** As the operator copies it: {@code openssl x509 -noout -fingerprint -sha256}. */
    static String fingerprint(Path certificate) {
        ProcessOutput out = ProcessOutput.run(List.of("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                certificate.toString()), pki, 60);
        assertEquals(0, out.exitCode(), out.output());
        String line = out.output().trim();
        return line.substring(line.indexOf('=') + 1);
    }

    static Path[] issued(String name) {
        return certificates.issue(name, true, name);
    }

    static String register(String number) {
        return "REGISTER sip:127.0.0.1;transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-reg-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + number + "@127.0.0.1>;tag=reg" + number + "\r\n"
                + "To: <sip:" + number + "@127.0.0.1>\r\n"
                + "Call-ID: reg-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "Contact: <sip:" + number + "@127.0.0.1:5999;transport=tls>\r\n"
                + "Expires: 600\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static String invite(String from, String to) {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
        return "INVITE sip:" + to + "@127.0.0.1:" + proxy.tlsPort + ";transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-inv-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + from + "@127.0.0.1>;tag=inv" + from + "\r\n"
                + "To: <sip:" + to + "@127.0.0.1>\r\n"
                + "Call-ID: inv-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:" + from + "@127.0.0.1:5999;transport=tls>\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    static String message(String from) {
        return "MESSAGE sip:4444@127.0.0.1:" + proxy.tlsPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-msg-" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + from + "@127.0.0.1>;tag=msg1\r\n"
                + "To: <sip:4444@127.0.0.1>\r\n"
                + "Call-ID: msg-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 MESSAGE\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** Sends over TLS with this client certificate ({cert, key}, or null for none) and further s_client options. */
    static String send(String request, Path[] certificate, String... options) {
        List<String> all = new ArrayList<>();
        if (certificate != null) {
            all.addAll(List.of("-cert", certificate[0].toString(), "-key", certificate[1].toString()));
        }
        all.addAll(List.of(options));
        return OpenSslClient.exchange("127.0.0.1", proxy.tlsPort, request, all.toArray(new String[0]));
    }

    /** The reply's status line, or "no answer". */
    static String status(String reply) {
        int start = reply.indexOf("SIP/2.0 ");
        return start < 0 ? "no answer" : reply.substring(start, reply.indexOf("\r\n", start));
    }

    static void assertRejected(SecurityLog log, String reply, String device, String reason) {
        assertTrue(status(reply).startsWith("SIP/2.0 403"), reply);
        List<String> lines = log.lines("SECURITY tls-device-rejected");
        assertTrue(lines.stream().anyMatch(l -> l.matches("SECURITY tls-device-rejected src=127\\.0\\.0\\.1 port=\\d+ local-port="
                + proxy.tlsPort + " device=\"" + device + "\" reason=" + reason + " subject=\".*\"")),
                "no line for " + device + " reason=" + reason + " in " + lines);
    }

    @Test
    void aPhoneWithoutCertificateOrWithAnotherPhonesCertificateIsRefusedAndItsOwnRegisters() {
        try (SecurityLog log = new SecurityLog()) {
            assertRejected(log, send(register("3001"), null), PHONE_A, "no-certificate");
            assertRejected(log, send(register("3001"), issued(PHONE_B)), PHONE_A, "not-this-device");
            // the CA's certificate for a name that is no device of ours does not make a phone either
            assertRejected(log, send(register("3001"), issued("SEP0000000000FF")), PHONE_A, "not-this-device");
            assertTrue(status(send(register("3001"), issued(PHONE_A))).startsWith("SIP/2.0 200"));
            // and B's own certificate is B's, not A's: the same certificate registers B
            assertTrue(status(send(register("3002"), issued(PHONE_B))).startsWith("SIP/2.0 200"));
        }
    }

    @Test
    void aPinnedCertificateWorksWithoutTheTrustStoreForItsDeviceOnly() {
        try (SecurityLog log = new SecurityLog()) {
            assertTrue(status(send(register("3003"), pinnedNamingA)).startsWith("SIP/2.0 200"),
                    "the pinned certificate chains nowhere, yet it is this phone's");
            // it names phone A, but only the trust store could vouch for that name
            assertRejected(log, send(register("3001"), pinnedNamingA), PHONE_A, "untrusted-chain");
            // the store's certificate naming the phone works beside the pin
            assertTrue(status(send(register("3003"), issued(PINNED_PHONE))).startsWith("SIP/2.0 200"));
            // a self-signed certificate with the same name that nobody pins never finishes the handshake
            assertEquals("no answer", status(send(register("3003"), selfSigned("unpinned-c", PINNED_PHONE))));
            assertTrue(log.lines("SECURITY tls-peer-rejected").stream().anyMatch(l -> l.contains("reason=untrusted-chain")),
                    log.lines("SECURITY").toString());
        }
    }

    @Test
    void aCertificatePinnedByAPhoneNeverMakesATrunk() {
        // legitimate: the CA's certificate with the trunk's name is the trunk (4444 matches no route: 404)
        assertTrue(status(send(message("carrier"), issued(TRUNK_NAME))).startsWith("SIP/2.0 404"));
        try (SecurityLog log = new SecurityLog()) {
            String reply = send(message("carrier"), pinnedNamingTrunk);
            assertTrue(status(reply).startsWith("SIP/2.0 403"), reply);
            assertTrue(log.lines("SECURITY tls-peer-rejected").stream()
                    .anyMatch(l -> l.contains("names=\"" + TRUNK_NAME + "\" reason=no-trunk-allows-these-names")),
                    log.lines("SECURITY").toString());
        }
    }

    @Test
    void anEncryptedTrunkOverANullSuiteIsNoTrunk() {
        String reply = send(message("carrier"), issued(TRUNK_NAME), "-tls1_2", "-cipher", "NULL-SHA256:NULL-SHA:@SECLEVEL=0");
        assertTrue(reply.contains("NULL"), "the listener agreed a NULL suite:\n" + reply);
        assertTrue(status(reply).startsWith("SIP/2.0 403"), reply);
    }

    @Test
    void anEncryptedPhoneOverANullSuiteIsRefusedAndAnAuthenticatedOneIsNot() {
        String[] nullSuites = {"-tls1_2", "-cipher", "NULL-SHA256:NULL-SHA:ECDHE-RSA-NULL-SHA:@SECLEVEL=0"};
        try (SecurityLog log = new SecurityLog()) {
            String reply = send(register("3001"), issued(PHONE_A), nullSuites);
            assertTrue(reply.contains("NULL"), "the listener agreed a NULL suite:\n" + reply);
            assertRejected(log, reply, PHONE_A, "suite-below-mode");
        }
        String authenticated = send(register("3004"), issued(AUTHENTICATED_PHONE), nullSuites);
        assertTrue(status(authenticated).startsWith("SIP/2.0 200"), authenticated);
        assertTrue(status(send(register("3004"), issued(AUTHENTICATED_PHONE))).startsWith("SIP/2.0 200"),
                "an encrypting suite gives an Authenticated phone more, not less");
    }

    @Test
    void digestDoesNotReplaceTheCertificateOfASecurePhone() {
        try (SecurityLog log = new SecurityLog()) {
            assertRejected(log, send(invite("3005", "3001"), null), DIGEST_PHONE, "no-certificate");
            assertRejected(log, send(invite("3005", "3001"), issued(PHONE_A)), DIGEST_PHONE, "not-this-device");
        }
        // with its certificate the INVITE reaches digest authentication, which challenges it
        String reply = send(invite("3005", "3001"), issued(DIGEST_PHONE));
        assertTrue(status(reply).startsWith("SIP/2.0 407"), reply);
        assertTrue(status(send(register("3005"), issued(DIGEST_PHONE))).startsWith("SIP/2.0 401"));
    }

    @Test
    void underUnknownSourceDropARefusedDeviceGetsSilence(@TempDir Path data) throws Exception {
        new TrustStore(data, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        try (RunningProxy silent = new RunningProxy(data, """
                security:
                  unknownSource: DROP
                phoneSecurityProfiles:
                  - {name: Encrypted phone, deviceSecurityMode: Encrypted}
                phones:
                  - {deviceName: %s, securityProfile: Encrypted phone, lines: ["3001"]}
                """.formatted(PHONE_A)); SecurityLog log = new SecurityLog()) {
            Path[] other = issued(PHONE_B);
            String refused = OpenSslClient.exchange("127.0.0.1", silent.tlsPort, register("3001"),
                    "-cert", other[0].toString(), "-key", other[1].toString());
            assertEquals("no answer", status(refused), refused);
            assertTrue(log.lines("SECURITY tls-device-rejected").stream().anyMatch(l -> l.contains("local-port=" + silent.tlsPort
                    + " device=\"" + PHONE_A + "\" reason=not-this-device")), log.lines("SECURITY").toString());
            Path[] own = issued(PHONE_A);
            // a new transaction: a retransmission of the dropped REGISTER would be absorbed by its transaction
            String accepted = OpenSslClient.exchange("127.0.0.1", silent.tlsPort, register("3001"),
                    "-cert", own[0].toString(), "-key", own[1].toString());
            assertTrue(status(accepted).startsWith("SIP/2.0 200"), accepted);
        }
    }

    @Test
    void aPinCountsFromTheReloadThatAddsItToTheReloadThatRemovesIt(@TempDir Path data) throws Exception {
        Path[] own = selfSigned("reloaded-a", PHONE_A);
        String phones = """
                phoneSecurityProfiles:
                  - {name: Encrypted phone, deviceSecurityMode: Encrypted}
                phones:
                  - {deviceName: %s, securityProfile: Encrypted phone, lines: ["3001"]%s}
                """;
        try (RunningProxy reloaded = new RunningProxy(data, phones.formatted(PHONE_A, ""))) {
            String[] client = {"-cert", own[0].toString(), "-key", own[1].toString()};
            assertEquals("no answer", status(OpenSslClient.exchange("127.0.0.1", reloaded.tlsPort, register("3001"), client)));
            reloaded.reload(phones.formatted(PHONE_A, ", certificateFingerprint: \"" + fingerprint(own[0]) + "\""));
            String pinned = OpenSslClient.exchange("127.0.0.1", reloaded.tlsPort, register("3001"), client);
            assertTrue(status(pinned).startsWith("SIP/2.0 200"), pinned);
            reloaded.reload(phones.formatted(PHONE_A, ""));
            assertEquals("no answer", status(OpenSslClient.exchange("127.0.0.1", reloaded.tlsPort, register("3001"), client)));
        }
    }

    @Test
    void aSecureVoicemailPortIsAuthenticatedTheSameWay() {
        try (SecurityLog log = new SecurityLog()) {
            assertRejected(log, send(register("3901"), null), VOICEMAIL_PORT, "no-certificate");
            assertRejected(log, send(register("3901"), issued(PHONE_A)), VOICEMAIL_PORT, "not-this-device");
            assertRejected(log, send(register("3901"), issued(VOICEMAIL_PORT), "-tls1_2", "-cipher", "NULL-SHA256:@SECLEVEL=0"),
                    VOICEMAIL_PORT, "suite-below-mode");
        }
        assertTrue(status(send(register("3901"), issued(VOICEMAIL_PORT))).startsWith("SIP/2.0 200"));
        assertFalse(status(send(register("3001"), issued(VOICEMAIL_PORT))).startsWith("SIP/2.0 200"),
                "the port's certificate is not phone A's");
    }
}
