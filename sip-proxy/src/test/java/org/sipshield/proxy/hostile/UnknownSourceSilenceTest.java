package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * With security.unknownSource DROP the proxy is invisible to strangers: a battery of odd requests
 * (an unknown method, Max-Forwards 0, an unsupported Require, a BYE and a CANCEL naming no call, an
 * OPTIONS ping) gets no byte back over UDP or TCP. The same battery from a configured trunk's address
 * gets the protocol's answers (501, 483, 420, 481, 200), so the test would see the proxy answering
 * strangers: nothing is answered before classification.
 */
class UnknownSourceSilenceTest {
    static final String TRUNK = "127.0.0.2";
    static final String STRANGER = "127.0.0.9";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().yaml("security:\n  unknownSource: DROP\n")
                .carrierAndPbx(TRUNK, FreePorts.udpAndTcp(), "127.0.0.3", FreePorts.udpAndTcp()).start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** Each odd request and the answer a known peer gets to it. */
    static Map<String, String> battery(UdpSipClient as, String transport) {
        String uri = "sip:8100@127.0.0.1:" + proxy.sipPort;
        String ping = "sip:127.0.0.1:" + proxy.sipPort;
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("501", as.request("FROBNICATE", uri, "5550100", "8100", id("frob"), 1, ""));
        requests.put("483", as.request("INVITE", uri, "5550100", "8100", id("hops"), 1, "")
                .replace("Max-Forwards: 70", "Max-Forwards: 0"));
        requests.put("420", as.request("INVITE", uri, "5550100", "8100", id("require"), 1, "Require: x-frobnication\r\n"));
        requests.put("481", as.request("BYE", uri, "5550100", "8100", id("bye"), 2, "")
                .replace("To: <sip:8100@127.0.0.1>", "To: <sip:8100@127.0.0.1>;tag=no-such-dialog"));
        requests.put("481 ", as.request("CANCEL", uri, "5550100", "8100", id("cancel"), 1, ""));
        requests.put("200", as.request("OPTIONS", ping, "5550100", "8100", id("ping"), 1, ""));
        requests.replaceAll((status, request) -> request.replace("SIP/2.0/UDP", "SIP/2.0/" + transport));
        return requests;
    }

    static String id(String what) {
        return what + "-" + System.nanoTime();
    }

    @Test
    void aStrangerGetsNoByteBackOverUdpWhateverItSends() throws Exception {
        try (SecurityLog log = new SecurityLog(); UdpSipClient stranger = new UdpSipClient(STRANGER, "127.0.0.1", proxy.sipPort)) {
            for (String request : battery(stranger, "UDP").values()) {
                stranger.send(request);
            }
            assertEquals("(no answer within 5 s)", stranger.receive());
            assertTrue(log.lines("SECURITY unknown-source src=" + STRANGER).size() >= 6, String.valueOf(log.lines("")));
        }
    }

    @Test
    void aStrangerGetsNoByteBackOverTcpWhateverItSends() throws Exception {
        try (Socket stranger = new Socket()) {
            stranger.bind(new InetSocketAddress(InetAddress.getByName(STRANGER), 0));
            stranger.connect(new InetSocketAddress("127.0.0.1", proxy.sipPort));
            stranger.setSoTimeout(5000);
            try (UdpSipClient headers = new UdpSipClient(STRANGER, "127.0.0.1", proxy.sipPort)) {
                for (String request : battery(headers, "TCP").values()) {
                    stranger.getOutputStream().write(request.replace(":" + headers.localPort() + ";",
                            ":" + stranger.getLocalPort() + ";").getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            assertEquals("", readUntilSilent(stranger.getInputStream()));
        }
    }

    @Test
    void aConfiguredTrunkGetsTheProtocolsAnswersToTheSameRequests() throws Exception {
        try (UdpSipClient trunk = new UdpSipClient(TRUNK, "127.0.0.1", proxy.sipPort)) {
            List<String> unexpected = new ArrayList<>();
            for (Map.Entry<String, String> request : battery(trunk, "UDP").entrySet()) {
                String answer = trunk.exchange(request.getValue());
                if (!answer.startsWith("SIP/2.0 " + request.getKey().trim() + " ")) {
                    unexpected.add(request.getKey() + " expected, got: " + answer.lines().findFirst().orElse(answer));
                }
            }
            assertTrue(unexpected.isEmpty(), String.join("\n", unexpected));
        }
    }

    /** What the proxy sent on the connection before 5 s of silence (or its close). */
    private static String readUntilSilent(InputStream in) throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException silent) {
            // five seconds without a byte: what we wanted
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }
}
