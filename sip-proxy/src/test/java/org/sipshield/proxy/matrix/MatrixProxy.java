package org.sipshield.proxy.matrix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.SrtpCiphers;
import org.sipshield.config.Transport;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.Kamailio;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * The one proxy every matrix row talks to, configured once for all of them: a phone security
 * profile and a phone per allowed transport, mode and digest setting (a TLS phone with its
 * certificate from the SIP trust store's CA); far-end trunks with and
 * without SRTP Allowed; kamailio as a challenging carrier, with and without SIP Realm credentials.
 * One start serves every row of one SRTP Ciphers setting.
 */
final class MatrixProxy implements AutoCloseable {
    static final String FAR_END = "127.0.0.3";
    static final String KAMAILIO = "127.0.0.6";
    /** Called numbers: the prefix picks the trunk. */
    static final String TO_FAR_SRTP = "71";
    static final String TO_FAR_RTP = "70";
    static final String TO_CARRIER = "81";
    static final String TO_CARRIER_WITHOUT_CREDENTIALS = "60";

    final RunningProxy proxy;
    final int farEndPort;
    final Path certificate;
    /** A TLS phone's certificate and key in one file (baresip's sip_certificate), by directory number. */
    private final Map<String, Path> phoneCertificates = new java.util.HashMap<>();
    private final Kamailio kamailio;

    MatrixProxy(Path dataDirectory, SrtpCiphers ciphers) throws Exception {
        farEndPort = FreePorts.udpAndTcp();
        int kamailioPort = FreePorts.udpAndTcp();
        // a range of its own per proxy of this run (one per SRTP Ciphers setting) and per process
        int mediaPorts = 40000 + (int) (ProcessHandle.current().pid() % 16) * 600 + ciphers.ordinal() * 200;
        StringBuilder yaml = new StringBuilder("""
                media:
                  portMin: %d
                  portMax: %d
                  srtpCiphers: %s
                sipTrunkSecurityProfiles:
                  - {name: far end, incomingPort: ${sipPort}, outgoingTransportType: UDP}
                sipTrunks:
                  - {name: far-srtp, securityProfile: far end, destinations: ["%s:%d"], srtpAllowed: true}
                  - {name: far-rtp, securityProfile: far end, destinations: ["%s:%d"]}
                  - {name: carrier, securityProfile: far end, destinations: ["%s:%d"], srtpAllowed: true}
                  - {name: no-credentials, securityProfile: far end, destinations: ["%s:%d"]}
                routePatterns:
                  - {pattern: "%s!", trunk: far-srtp}
                  - {pattern: "%s!", trunk: far-rtp}
                  - {pattern: "%s!", trunk: carrier}
                  - {pattern: "%s!", trunk: no-credentials}
                sipRealms:
                  - {realm: carrier.example, trunk: carrier, user: sipshield, digestCredentials: {MD5: %s}}
                """.formatted(mediaPorts, mediaPorts + 199, ciphers, FAR_END, farEndPort, FAR_END, farEndPort, KAMAILIO, kamailioPort,
                KAMAILIO, kamailioPort, TO_FAR_SRTP, TO_FAR_RTP, TO_CARRIER, TO_CARRIER_WITHOUT_CREDENTIALS,
                ha1("sipshield", "carrier.example", "trunk-secret")));
        List<String> profiles = new ArrayList<>();
        List<String> users = new ArrayList<>();
        List<String> phones = new ArrayList<>();
        // Secure phones are authenticated by their certificate: each TLS phone gets one from the CA
        // of the SIP trust store, named after the phone, as an operator's PKI would issue it.
        TestCertificates pki = new TestCertificates(Files.createDirectories(dataDirectory.resolveSibling(
                dataDirectory.getFileName() + "-pki")));
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(pki.caCertificate()));
        for (Transport transport : Transport.values()) {
            for (DeviceSecurityMode mode : DeviceSecurityMode.values()) {
                if (!Scenario.allowed(transport, mode)) {
                    continue;
                }
                for (boolean digest : new boolean[] {false, true}) {
                    String profile = profileName(transport, mode, digest);
                    String number = number(transport, mode, digest);
                    profiles.add("  - {name: " + profile + ", deviceSecurityMode: " + mode.label() + ", transportType: "
                            + transport + ", enableDigestAuthentication: " + digest + "}");
                    if (digest) {
                        users.add("  - {userId: " + user(number) + ", digestCredentials: {MD5: "
                                + ha1(user(number), "ccmsipline", password(number)) + "}}");
                    }
                    if (transport == Transport.TLS) {
                        Path[] issued = pki.issue("SEP" + number, true, "SEP" + number);
                        Path both = issued[0].resolveSibling("SEP" + number + "-with-key.pem");
                        Files.writeString(both, Files.readString(issued[0]) + Files.readString(issued[1]));
                        phoneCertificates.put(number, both);
                    }
                    phones.add("  - {deviceName: SEP" + number + ", securityProfile: " + profile
                            + (digest ? ", digestUser: " + user(number) : "") + ", lines: [\"" + number + "\"]}");
                }
            }
        }
        yaml.append("phoneSecurityProfiles:\n").append(String.join("\n", profiles)).append('\n');
        yaml.append("endUsers:\n").append(String.join("\n", users)).append('\n');
        yaml.append("phones:\n").append(String.join("\n", phones)).append('\n');
        proxy = new RunningProxy(dataDirectory, yaml.toString());
        certificate = dataDirectory.resolve("certs/sip.crt.pem");
        Kamailio started = null;
        try {
            started = Kamailio.start("challenging-trunk.cfg", Map.of("realm", "carrier.example", "password", "trunk-secret",
                    "user", "sipshield", "relay", FAR_END + ":" + farEndPort), KAMAILIO, kamailioPort);
        } finally {
            if (started == null) {
                proxy.close();
            }
        }
        kamailio = started;
    }

    Path phoneCertificate(String number) {
        return phoneCertificates.get(number);
    }

    String kamailioLog() {
        return kamailio.log();
    }

    /** The proxy's address for a phone on this transport ("host:port" as baresip's trace writes it). */
    String address(Transport transport) {
        return "127.0.0.1:" + (transport == Transport.TLS ? proxy.tlsPort : proxy.sipPort);
    }

    static String profileName(Transport transport, DeviceSecurityMode mode, boolean digest) {
        return transport + " " + mode.label() + (digest ? " digest" : " open");
    }

    /** The phone's directory number: 2, then transport, mode and digest as digits. */
    static String number(Transport transport, DeviceSecurityMode mode, boolean digest) {
        return "2" + (transport.ordinal() + 1) + (mode.ordinal() + 1) + (digest ? "2" : "1");
    }

    static String user(String number) {
        return "user" + number;
    }

    static String password(String number) {
        return "secret-" + number;
    }

    static String ha1(String user, String realm, String password) {
        return DigestChecksum.compute(DigestAlgorithm.MD5, user, realm, password.toCharArray()).toStoredForm().substring(4);
    }

    static String lower(Object o) {
        return o.toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        try {
            kamailio.close();
        } finally {
            proxy.close();
        }
    }
}
