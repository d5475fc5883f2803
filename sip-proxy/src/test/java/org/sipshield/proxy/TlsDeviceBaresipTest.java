package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.Baresip;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.proxy.peers.Wav;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * An Encrypted phone as Debian's baresip runs it, registering over TLS: without a client
 * certificate and with another phone's it is refused, with its own (sip_certificate, from the CA
 * of the SIP trust store) it registers.
 */
class TlsDeviceBaresipTest {
    static final String PHONE = "SEP0000000000B1";

    @TempDir
    Path dir;

    @Test
    void baresipRegistersWithItsOwnCertificateOnly() throws Exception {
        TestCertificates certificates = new TestCertificates(Files.createDirectories(dir.resolve("pki")));
        Path data = dir.resolve("data");
        new TrustStore(data, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
        Path audio = dir.resolve("silence.wav");
        Wav.write(audio, new short[8000]);
        try (RunningProxy proxy = new RunningProxy(data, """
                phoneSecurityProfiles:
                  - {name: Encrypted phone, deviceSecurityMode: Encrypted}
                phones:
                  - {deviceName: %s, securityProfile: Encrypted phone, lines: ["3101"]}
                  - {deviceName: SEP0000000000B2, securityProfile: Encrypted phone, lines: ["3102"]}
                """.formatted(PHONE)); SecurityLog log = new SecurityLog()) {
            Path serverCertificate = data.resolve("certs/sip.crt.pem");
            assertEquals("403", registration(proxy, "none", audio, serverCertificate, null));
            assertTrue(log.lines("SECURITY tls-device-rejected").stream()
                    .anyMatch(l -> l.contains("device=\"" + PHONE + "\" reason=no-certificate")), log.lines("").toString());
            // not SEP0000000000B1's certificate: the CA's for the other phone
            assertEquals("403", registration(proxy, "other", audio, serverCertificate,
                    certificates.issue("SEP0000000000B2", true, "SEP0000000000B2")));
            assertTrue(log.lines("SECURITY tls-device-rejected").stream()
                    .anyMatch(l -> l.contains("device=\"" + PHONE + "\" reason=not-this-device")), log.lines("").toString());
            assertEquals("200", registration(proxy, "own", audio, serverCertificate, certificates.issue(PHONE, true, PHONE)));
        }
    }

    /**
     * Runs baresip until the proxy answers its REGISTER over TLS; returns the status, "no answer"
     * if none came. certificate: {cert, key} for sip_certificate, or null.
     */
    private String registration(RunningProxy proxy, String name, Path audio, Path serverCertificate, Path[] certificate)
            throws Exception {
        Path directory = dir.resolve(name);
        List<String> config = new java.util.ArrayList<>(List.of("sip_cafile " + serverCertificate));
        if (certificate != null) {
            // baresip reads its certificate and key from one file
            Path both = Files.createDirectories(directory).resolve("phone.pem");
            Files.writeString(both, Files.readString(certificate[0]) + Files.readString(certificate[1]));
            config.add("sip_certificate " + both);
        }
        String proxyAddress = "127.0.0.1:" + proxy.tlsPort;
        try (Baresip phone = new Baresip(directory, audio, "36400-36449",
                port -> "<sip:3101@" + proxyAddress + ";transport=tls>;regint=600;audio_codecs=PCMU", config)) {
            phone.start(20);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                for (String message : phone.messages(true, proxyAddress)) {
                    if (message.startsWith("SIP/2.0 ") && !message.startsWith("SIP/2.0 100") && message.contains(" REGISTER\n")) {
                        return message.substring(8, 11);
                    }
                }
                Thread.sleep(50);
            }
            return "no answer";
        }
    }
}
