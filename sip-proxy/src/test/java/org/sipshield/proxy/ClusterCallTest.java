package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.CallSecurityStatusTest.answer;
import static org.sipshield.proxy.CallSecurityStatusTest.awaitRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.cli.Main;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.TestCertificates;
import org.sipshield.proxy.peers.ThrowAwayPostgres;
import org.sipshield.proxy.peers.TlsSipPeer;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.TrustStore;

/**
 * Two nodes sharing PostgreSQL, each the other's mutual-TLS trunk (cluster.nodes): a TLS phone
 * registered through node A is called by a carrier through node B, and the call reaches it over its
 * own connection on A, is answered and hung up end to end. From the attacker's side: a stranger
 * without a certificate, or with a phone's, cannot pass for a node on that listener.
 */
class ClusterCallTest {
    static final String A = "127.0.0.31";
    static final String B = "127.0.0.32";
    static final String CARRIER = "127.0.0.33";
    static final String PHONE = "127.0.0.35";
    static final String DEVICE = "SEP000000003001";
    static ThrowAwayPostgres postgres;
    static TestCertificates certificates;

    @TempDir
    static Path pki;
    @TempDir
    Path nodeA;
    @TempDir
    Path nodeB;

    @BeforeAll
    static void start() throws Exception {
        postgres = ThrowAwayPostgres.start();
        certificates = new TestCertificates(pki);
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** Each test starts from no binding: the database outlives the nodes of the test before. */
    @org.junit.jupiter.api.AfterEach
    void forgetBindings() throws Exception {
        try (java.sql.Connection connection = postgres.connect();
                java.sql.Statement delete = connection.createStatement()) {
            delete.executeUpdate("DELETE FROM registration_binding");
        }
    }

    /** The node's SIP identity, named after the node and signed by the cluster's CA, which its trust store holds. */
    static void identity(Path dataDirectory, String node) throws Exception {
        Path csr = pki.resolve(node + ".csr");
        assertEquals(0, Main.commandLine().execute("certs", "--data-dir", dataDirectory.toString(), "csr", "sip",
                "--cn", node, "--out", csr.toString()));
        certificates.sign(csr, pki.resolve(node + ".pem"));
        assertEquals(0, Main.commandLine().execute("certs", "--data-dir", dataDirectory.toString(), "import", "sip",
                pki.resolve(node + ".pem").toString()));
        new TrustStore(dataDirectory, CertificatePurpose.SIP).add(Files.readAllBytes(certificates.caCertificate()));
    }

    /** The same configuration on both nodes: each node's entry for itself is no hop. */
    static String model(int tlsA, int tlsB) {
        return postgres.yaml() + """
                sipTrunkSecurityProfiles:
                  - {name: Carrier, deviceSecurityMode: Non Secure, incomingPort: ${sipPort}, incomingTransportType: TCP+UDP,
                     outgoingTransportType: UDP}
                  - {name: Hop to node-a, deviceSecurityMode: Encrypted, incomingPort: ${tlsPort}, incomingTransportType: TLS,
                     outgoingTransportType: TLS, secureCertificateSubjectOrSubjectAlternateName: node-a}
                  - {name: Hop to node-b, deviceSecurityMode: Encrypted, incomingPort: ${tlsPort}, incomingTransportType: TLS,
                     outgoingTransportType: TLS, secureCertificateSubjectOrSubjectAlternateName: node-b}
                sipTrunks:
                  - {name: carrier, securityProfile: Carrier, destinations: ["%2$s:5060"]}
                  - {name: to-node-a, securityProfile: Hop to node-a, destinations: ["%3$s:%4$d"]}
                  - {name: to-node-b, securityProfile: Hop to node-b, destinations: ["%5$s:%6$d"]}
                phoneSecurityProfiles:
                  - {name: TLS phones, deviceSecurityMode: Authenticated, transportType: TLS}
                  - {name: UDP phones, deviceSecurityMode: Non Secure, transportType: TCP+UDP}
                phones:
                  - {deviceName: %7$s, securityProfile: TLS phones, lines: ["3001"]}
                  - {deviceName: SEP000000003002, securityProfile: UDP phones, lines: ["3002"]}
                cluster:
                  nodes:
                    node-a: {trunk: to-node-a}
                    node-b: {trunk: to-node-b}
                """.formatted(0, CARRIER, A, tlsA, B, tlsB, DEVICE);
    }

    /** Both nodes up, each knowing the other's TLS port; the phone's certificate is issued by the same CA. */
    private RunningProxy[] nodes() throws Exception {
        identity(nodeA, "node-a");
        identity(nodeB, "node-b");
        int tlsA = FreePorts.udpAndTcp();
        int tlsB = FreePorts.udpAndTcp();
        RunningProxy a = RunningProxy.onAddress(nodeA, A, FreePorts.udpAndTcp(), tlsA, "nodeName: node-a", model(tlsA, tlsB));
        try {
            return new RunningProxy[] {a,
                RunningProxy.onAddress(nodeB, B, FreePorts.udpAndTcp(), tlsB, "nodeName: node-b", model(tlsA, tlsB))};
        } catch (Exception | AssertionError e) {
            a.close();
            throw e;
        }
    }

    @Test
    void aTlsPhoneRegisteredThroughAIsCalledThroughBOverItsConnectionOnA() throws Exception {
        RunningProxy[] both = nodes();
        try (RunningProxy a = both[0]; RunningProxy b = both[1];
                TlsSipPeer phone = new TlsSipPeer(PHONE, A, a.tlsPort, certificates.issue(DEVICE, true, DEVICE))) {
            // its Contact names an address where nothing listens (a phone behind NAT): only its connection reaches it
            CallSecurityStatusTest.register(phone, a.tlsPort, "3001", null, TlsPhoneFlowTest.PRIVATE_CONTACT);
            awaitTrue(() -> b.server.activeBindings() == 1, "node B never learnt node A's binding");

            Sipp.Server call = Sipp.startClient("uac-call.xml", Map.of("caller", "5550100", "called", "3001"),
                    "udp", CARRIER, B, b.sipPort);
            String invite = awaitRequest(phone, "INVITE");
            phone.send(answer(invite, 200, "phone-tag", true, false, phone));
            String bye = awaitRequest(phone, "BYE");
            phone.send(answer(bye, 200, "phone-tag", false, false, null));
            ProcessOutput carrier = call.finish();
            assertEquals(0, carrier.exitCode(), carrier.output());
            // A anchored the call as its own: the phone saw A, never B nor the carrier
            assertTrue(invite.startsWith("INVITE sip:3001@" + TlsPhoneFlowTest.PRIVATE_CONTACT), invite);
            assertFalse(invite.contains(B) || invite.contains(CARRIER), "node B or the carrier showed through A:\n" + invite);
        }
    }

    /** A UDP phone has no connection to hold: node B calls it directly, with the same cluster configured. */
    @Test
    void aUdpPhoneRegisteredThroughAIsCalledDirectlyFromB() throws Exception {
        RunningProxy[] both = nodes();
        try (RunningProxy a = both[0]; RunningProxy b = both[1]) {
            int phonePort = FreePorts.udpAndTcp();
            ProcessOutput register = Sipp.client("register-open.xml", Map.of("dn", "3002", "contact",
                    "sip:3002@" + PHONE + ":" + phonePort, "expect", "200"), "udp", PHONE, A, a.sipPort);
            assertEquals(0, register.exitCode(), register.output());
            awaitTrue(() -> b.server.activeBindings() == 1, "node B never learnt node A's binding");
            try (Sipp.Server phone = Sipp.server("uas-call.xml", Map.of(), "udp", PHONE, phonePort)) {
                ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "3002"),
                        "udp", CARRIER, B, b.sipPort);
                ProcessOutput atPhone = phone.finish();
                assertEquals(0, call.exitCode(), call.output() + "\nphone:\n" + atPhone.output());
                assertEquals(0, atPhone.exitCode(), atPhone.output());
                String invite = atPhone.output().substring(atPhone.output().indexOf("INVITE sip:3002@"));
                assertTrue(invite.contains("Via: SIP/2.0/UDP " + B), "the INVITE did not come from node B:\n" + invite);
            }
        }
    }

    /**
     * A stranger on the listener the nodes use, without a certificate or with a phone's, claiming
     * to be node B, does not get a call to the phone through A: it is no trunk, so no node.
     */
    @Test
    void aStrangerWithoutTheNodesCertificateCannotPassForANode() throws Exception {
        RunningProxy[] both = nodes();
        try (RunningProxy a = both[0]; RunningProxy b = both[1];
                TlsSipPeer phone = new TlsSipPeer(PHONE, A, a.tlsPort, certificates.issue(DEVICE, true, DEVICE));
                SecurityLog security = new SecurityLog()) {
            CallSecurityStatusTest.register(phone, a.tlsPort, "3001", null);
            Path[] otherPhone = certificates.issue("SEP0000000030FF", true, "SEP0000000030FF");
            for (List<String> credentials : List.of(List.<String>of(),
                    List.of("-cert", otherPhone[0].toString(), "-key", otherPhone[1].toString()))) {
                String answer = OpenSslClient.exchange(A, a.tlsPort, inviteAsNodeB(a.tlsPort), credentials.toArray(String[]::new));
                java.util.regex.Matcher status = java.util.regex.Pattern.compile("(?m)^SIP/2.0 (\\d{3})").matcher(answer);
                assertTrue(status.find() && List.of("403", "407").contains(status.group(1)),
                        "a stranger " + credentials + " was not refused:\n" + answer);
            }
            assertEquals("(no answer within 5 s)", phone.receive(), "the stranger's call reached the phone");
            // neither is taken for trunk to-node-b, whose name only node B's certificate carries
            assertEquals(1, security.lines("names=\"\" reason=no-trunk-allows-these-names").size(), security.lines("SECURITY").toString());
            assertEquals(1, security.lines("names=\"SEP0000000030FF\" reason=no-trunk-allows-these-names").size(),
                    security.lines("SECURITY").toString());
        }
    }

    /** An INVITE for the phone as node B would send it. */
    static String inviteAsNodeB(int port) {
        String branch = "z9hG4bK-node-" + System.nanoTime();
        return "INVITE sip:3001@" + A + ":" + port + ";transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + B + ":5061;branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:5550100@" + B + ">;tag=stranger\r\n"
                + "To: <sip:3001@" + A + ">\r\n"
                + "Call-ID: " + branch + "@" + B + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:5550100@" + B + ":5061;transport=tls>\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static void awaitTrue(BooleanSupplier condition, String failure) throws InterruptedException {
        for (int i = 0; i < 400 && !condition.getAsBoolean(); i++) {
            Thread.sleep(25);
        }
        assertTrue(condition.getAsBoolean(), failure);
    }
}
