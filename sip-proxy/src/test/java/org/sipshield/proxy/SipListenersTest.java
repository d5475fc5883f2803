package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.OpenSslClient;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.UdpSipClient;

/** The listeners of a real proxy, driven by sipp (UDP, TCP), openssl s_client (TLS) and raw datagrams. */
class SipListenersTest {
    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = new RunningProxy(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void optionsOverUdpAndTcpGets200FromSipp() {
        for (String transport : new String[] {"udp", "tcp"}) {
            ProcessOutput sipp = Sipp.client("options.xml", transport, "127.0.0.1", proxy.sipPort);
            assertEquals(0, sipp.exitCode(), transport + ": " + sipp.output());
        }
    }

    @Test
    void optionsOverTlsGets200AndTheServerShowsItsSelfSignedCertificate() {
        String reply = OpenSslClient.exchange("127.0.0.1", proxy.tlsPort,
                OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort));
        assertTrue(reply.contains("SIP/2.0 200 OK"), reply);
        assertTrue(reply.contains("Protocol version: TLSv1.3") || reply.contains("Protocol version: TLSv1.2"), reply);
        assertTrue(reply.contains("CN = 127.0.0.1") || reply.contains("CN=127.0.0.1"), reply);
    }

    @Test
    void tlsBelow12IsRefused() {
        String reply = OpenSslClient.exchange("127.0.0.1", proxy.tlsPort,
                OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort), "-tls1_1");
        assertTrue(!reply.contains("SIP/2.0"), reply);
    }

    @Test
    void requestsFromUnknownSourcesGet403WhateverTheMethod() throws Exception {
        ProcessOutput sipp = Sipp.client("subscribe-expect-403.xml", "udp", "127.0.0.1", proxy.sipPort);
        assertEquals(0, sipp.exitCode(), sipp.output());

        // classification comes first: a stranger learns nothing of which methods we implement
        String reply = exchange("FROBNICATE", "u501");
        assertTrue(reply.startsWith("SIP/2.0 403 "), reply);
    }

    @Test
    void malformedDatagramsDoNotStopTheProxyAnsweringTheNextOptions() throws Exception {
        String[] malformed = {
            "\u0000\u0001\u0002 not sip at all",
            "OPTIONS sip:x SIP/2.0\r\nVia: garbage\r\n\r\n",
            "OPTIONS sip:127.0.0.1 SIP/2.0\r\nContent-Length: 99999\r\n\r\n",
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKstray\r\n\r\n",
            "",
            "INVITE \r\n\r\n",
        };
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (String datagram : malformed) {
                byte[] bytes = datagram.getBytes(StandardCharsets.ISO_8859_1);
                socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), proxy.sipPort));
            }
        }
        String reply = exchange("OPTIONS", "after-malformed");
        assertTrue(reply.startsWith("SIP/2.0 200 OK"), reply);
    }

    /** Sends one request from a fresh socket and returns the first final answer. */
    private static String exchange(String method, String id) throws Exception {
        try (UdpSipClient client = new UdpSipClient("127.0.0.1", "127.0.0.1", proxy.sipPort)) {
            return client.exchange(client.request(method, "sip:127.0.0.1:" + proxy.sipPort, "probe", "probe",
                    id + "-" + System.nanoTime(), 1, ""));
        }
    }
}
