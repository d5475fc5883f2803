package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.media.SessionReport;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.UdpSipClient;
import org.sipshield.testing.RtpPackets;

/**
 * Offer/answer shapes beyond the INVITE-with-SDP call, with real peers and real RTP through the
 * relay: a delayed offer (no SDP in the INVITE, the offer in the 200, the answer in the ACK) is
 * anchored like any call, and a call on hold is not ended by the media timeout while silent.
 * The media ends are UDP sockets of the test on the addresses the peers signal.
 */
class MediaOfferAnswerCallTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final int MEDIA_TIMEOUT = 5;
    private static final Pattern M_AUDIO = Pattern.compile("(?m)^m=audio (\\d+) ");

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int carrierPort = FreePorts.udpAndTcp();
    static int pbxPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().yaml("""
                media:
                  portMin: 38600
                  portMax: 38699
                  mediaTimeout: %d
                """.formatted(MEDIA_TIMEOUT)).carrierAndPbx(CARRIER, carrierPort, PBX, pbxPort).start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aDelayedOfferIsAnchoredAndCarriesRtpBothWays() throws Exception {
        CompletableFuture<SessionReport> media = new CompletableFuture<>();
        proxy.server.media().relay().onSessionEnded(media::complete);
        try (DatagramSocket phoneA = socket(CARRIER); DatagramSocket phoneB = socket(PBX);
                Sipp.Server pbx = Sipp.server("uas-delayed-offer.xml", Map.of("mediaIp", PBX,
                        "rtpPort", Integer.toString(phoneB.getLocalPort())), "udp", PBX, pbxPort);
                Sipp.Server caller = Sipp.startClient("uac-delayed-offer.xml", Map.of("caller", "5550100", "called", "8100",
                        "mediaIp", CARRIER, "rtpPort", Integer.toString(phoneA.getLocalPort())), "udp", CARRIER, "127.0.0.1",
                        proxy.sipPort)) {
            // the relay's ports as each side was told: in the 200 the caller received, in the ACK the callee received
            String offerToA = await(() -> message(caller.messages(), true, "SIP/2.0 200 OK", "m=audio"));
            String ackToB = await(() -> message(pbx.messages(), true, "ACK ", "m=audio"));
            int relayA = port(offerToA);
            int relayB = port(ackToB);
            assertTrue(offerToA.contains("c=IN IP4 127.0.0.1") && !offerToA.contains(PBX), offerToA);
            assertTrue(ackToB.contains("c=IN IP4 127.0.0.1") && !ackToB.contains(CARRIER), ackToB);
            String inviteToB = message(pbx.messages(), true, "INVITE ", "").orElseThrow();
            assertFalse(inviteToB.contains("m=audio"), "the callee gets the INVITE without SDP: " + inviteToB);

            exchangeRtp(phoneA, relayA, phoneB, relayB, 1);

            // then silence: the media timeout ends the call with BYE on both legs, as for any anchored call
            ProcessOutput a = caller.finish();
            ProcessOutput b = pbx.finish();
            assertEquals(0, a.exitCode(), a.output());
            assertEquals(0, b.exitCode(), b.output());
            SessionReport report = media.get(10, TimeUnit.SECONDS);
            assertEquals(5, report.legA().packetsIn(), report.toString());
            assertEquals(5, report.legB().packetsIn(), report.toString());
            assertEquals(0, report.legA().dropped() + report.legB().dropped(), report.toString());
        }
    }

    @Test
    void aCallOnHoldOutlivesTheMediaTimeoutAndResumes() throws Exception {
        try (DatagramSocket phoneA = socket(CARRIER); DatagramSocket phoneB = socket(PBX);
                Sipp.Server pbx = Sipp.server("uas-hold-resume.xml", Map.of("mediaIp", PBX,
                        "rtpPort", Integer.toString(phoneB.getLocalPort())), "udp", PBX, pbxPort);
                UdpSipClient carrier = new UdpSipClient(CARRIER, "127.0.0.1", proxy.sipPort)) {
            Dialog call = new Dialog(carrier, "hold-" + System.nanoTime());
            String ok = call.invite(sdp(phoneA.getLocalPort(), "sendrecv"));
            int relayA = port(ok);
            call.ack();
            int relayB = exchangeRtp(phoneA, relayA, phoneB, -1, 1);

            long toleratedBefore = proxy.server.media().relay().silencesToleratedOnHold();
            String held = call.invite(sdp(phoneA.getLocalPort(), "sendonly"));
            assertTrue(held.contains("a=recvonly"), "the callee's hold answer crosses: " + held);
            call.ack();
            // the relay's own silence check runs past the media timeout and keeps the held call
            for (int i = 0; i < 300 && proxy.server.media().relay().silencesToleratedOnHold() == toleratedBefore; i++) {
                Thread.sleep(100);
            }
            assertEquals(toleratedBefore + 1, proxy.server.media().relay().silencesToleratedOnHold());
            assertEquals(1, proxy.server.activeCalls(), "the held call is still up");

            String resumed = call.invite(sdp(phoneA.getLocalPort(), "sendrecv"));
            assertTrue(resumed.contains("a=sendrecv"), resumed);
            assertEquals(relayA, port(resumed), "the same relay port after the re-INVITEs");
            call.ack();
            exchangeRtp(phoneA, relayA, phoneB, relayB, 100);

            assertTrue(call.bye().startsWith("SIP/2.0 200 "));
            ProcessOutput b = pbx.finish();
            assertEquals(0, b.exitCode(), b.output());
        }
    }

    /**
     * Five RTP packets each way between the two phones through the relay; answers the relay's port
     * for leg B (learnt from where leg B's packets come from when {@code relayB} is -1).
     */
    private static int exchangeRtp(DatagramSocket phoneA, int relayA, DatagramSocket phoneB, int relayB, int firstSeq)
            throws IOException {
        InetAddress relay = InetAddress.getLoopbackAddress();
        for (int seq = firstSeq; seq < firstSeq + 5; seq++) {
            byte[] sent = RtpPackets.g711(0x1111, seq);
            phoneA.send(new DatagramPacket(sent, sent.length, relay, relayA));
            DatagramPacket got = receive(phoneB);
            assertArrayEquals(sent, java.util.Arrays.copyOf(got.getData(), got.getLength()), "A to B, seq " + seq);
            if (relayB < 0) {
                relayB = got.getPort();
            }
            assertEquals(relayB, got.getPort(), "leg B's media comes from the relay's leg B port");
            byte[] back = RtpPackets.g711(0x2222, seq);
            phoneB.send(new DatagramPacket(back, back.length, relay, relayB));
            DatagramPacket gotBack = receive(phoneA);
            assertArrayEquals(back, java.util.Arrays.copyOf(gotBack.getData(), gotBack.getLength()), "B to A, seq " + seq);
            assertEquals(relayA, gotBack.getPort());
        }
        return relayB;
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        socket.receive(p);
        return p;
    }

    private static DatagramSocket socket(String ip) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(ip, 0));
        s.setSoTimeout(5000);
        return s;
    }

    private static String sdp(int port, String direction) {
        return "v=0\r\no=carrier 1 " + port + " IN IP4 " + CARRIER + "\r\ns=-\r\nc=IN IP4 " + CARRIER + "\r\nt=0 0\r\n"
                + "m=audio " + port + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=" + direction + "\r\n";
    }

    private static int port(String message) {
        Matcher m = M_AUDIO.matcher(message);
        assertTrue(m.find(), "no m=audio in " + message);
        return Integer.parseInt(m.group(1));
    }

    /** The first traced message starting with {@code start} and containing {@code containing}. */
    private static Optional<String> message(String trace, boolean received, String start, String containing) {
        return Sipp.tracedMessages(trace, received).stream().filter(m -> m.startsWith(start) && m.contains(containing))
                .findFirst();
    }

    /** Polls (bounded: 15 s) until the peer's trace shows the message. */
    private static String await(Supplier<Optional<String>> message) throws InterruptedException {
        for (int i = 0; i < 150; i++) {
            Optional<String> m = message.get();
            if (m.isPresent()) {
                return m.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the message never came");
    }

    /** Leg A's side of one call, by hand: INVITEs (initial and re-INVITEs) with SDP, their ACKs, a BYE. */
    private static final class Dialog {
        private final UdpSipClient client;
        private final String callId;
        private int cseq;
        private String toTag;
        private String remoteTarget;

        Dialog(UdpSipClient client, String callId) {
            this.client = client;
            this.callId = callId;
        }

        /** Sends an INVITE (the first, or a re-INVITE) and answers its final response, which must be a 200 with SDP. */
        String invite(String sdp) throws IOException {
            cseq++;
            client.send(request("INVITE", sdp));
            String answer = finalResponse("INVITE");
            assertTrue(answer.startsWith("SIP/2.0 200 "), answer);
            if (toTag == null) {
                String to = UdpSipClient.header(answer, "To");
                toTag = to.substring(to.indexOf(";tag=") + 5).split(";")[0];
                String contact = UdpSipClient.header(answer, "Contact");
                remoteTarget = contact.substring(contact.indexOf('<') + 1, contact.indexOf('>'));
            }
            return answer;
        }

        void ack() throws IOException {
            client.send(request("ACK", null));
        }

        String bye() throws IOException {
            cseq++;
            client.send(request("BYE", null));
            return finalResponse("BYE");
        }

        /** The final response to our last request; a retransmitted 200 of an earlier INVITE is skipped. */
        private String finalResponse(String method) throws IOException {
            for (int i = 0; i < 20; i++) {
                String message = client.receiveFinal();
                if (!message.startsWith("SIP/2.0 ") || (cseq + " " + method).equals(UdpSipClient.header(message, "CSeq"))) {
                    return message;
                }
            }
            throw new AssertionError("no final response to " + method + " " + cseq);
        }

        private String request(String method, String body) {
            String uri = remoteTarget != null ? remoteTarget : "sip:8100@127.0.0.1:" + proxy.sipPort;
            String branch = method.equals("ACK") ? "ack" + cseq : method.toLowerCase(java.util.Locale.ROOT) + cseq;
            String content = body == null ? "" : body;
            return method + " " + uri + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + client.localIp() + ":" + client.localPort() + ";rport;branch=z9hG4bK-" + callId
                    + "-" + branch + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:5550100@" + client.localIp() + ">;tag=t-" + callId + "\r\n"
                    + "To: <sip:8100@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: " + cseq + " " + method + "\r\n"
                    + "Contact: <sip:5550100@" + client.localIp() + ":" + client.localPort() + ">\r\n"
                    + (body == null ? "" : "Content-Type: application/sdp\r\n")
                    + "Content-Length: " + content.length() + "\r\n\r\n" + content;
        }
    }
}
