package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.RtpEndpoint;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.UdpSipClient;
import org.sipshield.srtp.CryptoSuite;

/**
 * A video call through the relay with real SRTP on every stream: the caller (a carrier with SRTP
 * Allowed) offers audio and video, each with its own key, and a UDP/BFCP stream; the far end is
 * sipp with an SRTP endpoint per stream (Debian's libsrtp2). Each stream's packets cross re-keyed:
 * what each end receives decrypts with the relay's key of that stream on that leg, and with no
 * other, and carries the signal of that stream only. The BFCP datagrams cross both ways unchanged.
 */
class VideoCallTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final CryptoSuite SUITE = CryptoSuite.AES_CM_128_HMAC_SHA1_80;
    /** Each stream a signal of its own (a constant level), so a stream crossed into another's would show. */
    static final short AUDIO_LEVEL = 1000;
    static final short VIDEO_LEVEL = -6000;
    static final short FAR_AUDIO_LEVEL = 3000;
    static final short FAR_VIDEO_LEVEL = -500;
    static final int PACKETS = 50;

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int carrierPort = FreePorts.udpAndTcp();
    static int pbxPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().yaml("""
                media:
                  portMin: 38700
                  portMax: 38799
                """).nonSecureTrunk("carrier", CARRIER, carrierPort, "srtpAllowed: true")
                .nonSecureTrunk("pbx", PBX, pbxPort, "srtpAllowed: true").route("8!", "pbx").start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void audioAndVideoCrossReKeyedEachWithKeysOfItsOwnAndTheBfcpStreamCrosses() throws Exception {
        try (RtpEndpoint callerAudio = new RtpEndpoint(CARRIER, Optional.of(SUITE));
                RtpEndpoint callerVideo = new RtpEndpoint(CARRIER, Optional.of(SUITE));
                RtpEndpoint farAudio = new RtpEndpoint(PBX, Optional.of(SUITE));
                RtpEndpoint farVideo = new RtpEndpoint(PBX, Optional.of(SUITE));
                DatagramSocket callerBfcp = new DatagramSocket(0, InetAddress.getByName(CARRIER));
                DatagramSocket farBfcp = new DatagramSocket(0, InetAddress.getByName(PBX));
                Sipp.Server pbx = Sipp.server("uas-video.xml", Map.of("audioPort", Integer.toString(farAudio.port()),
                        "videoPort", Integer.toString(farVideo.port()), "bfcpPort", Integer.toString(farBfcp.getLocalPort()),
                        "audioKey", farAudio.sendingKey(), "videoKey", farVideo.sendingKey()), "udp", PBX, pbxPort);
                UdpSipClient caller = new UdpSipClient(CARRIER, "127.0.0.1", proxy.sipPort)) {
            String callId = "video-" + System.nanoTime();
            String offer = "v=0\r\no=carrier 1 1 IN IP4 " + CARRIER + "\r\ns=-\r\nc=IN IP4 " + CARRIER + "\r\nt=0 0\r\n"
                    + "m=audio " + callerAudio.port() + " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                    + "a=crypto:1 " + SUITE.sdesName() + " inline:" + callerAudio.sendingKey() + "\r\n"
                    + "m=video " + callerVideo.port() + " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                    + "a=crypto:1 " + SUITE.sdesName() + " inline:" + callerVideo.sendingKey() + "\r\n"
                    + "m=application " + callerBfcp.getLocalPort() + " UDP/BFCP *\r\na=floorctrl:c-only\r\n"
                    + "a=confid:4321\r\na=userid:1234\r\n";
            String ok = caller.exchange(withBody(caller.request("INVITE", "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100",
                    "8100", callId, 1, ""), offer));
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok + "\npbx:\n" + pbx.messages());
            String toTag = UdpSipClient.header(ok, "To").replaceAll(".*;tag=([^;>]+).*", "$1");
            caller.send(caller.request("ACK", "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100", "8100", callId, 1, "")
                    .replace("To: <sip:8100@127.0.0.1>", "To: <sip:8100@127.0.0.1>;tag=" + toTag));

            List<String> toCaller = sections(ok);
            assertEquals(3, toCaller.size(), ok);
            callerAudio.startTowards(relay(toCaller.get(0)), level(AUDIO_LEVEL));
            callerVideo.startTowards(relay(toCaller.get(1)), level(VIDEO_LEVEL));
            farAudio.start(level(FAR_AUDIO_LEVEL), 20);
            farVideo.start(level(FAR_VIDEO_LEVEL), 20);

            byte[] floorRequest = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x10, (byte) 0xE1, 0x04, (byte) 0xD2, 0x00, 0x00};
            callerBfcp.send(new DatagramPacket(floorRequest, floorRequest.length, relay(toCaller.get(2))));
            DatagramPacket atFar = receive(farBfcp);
            assertTrue(Arrays.equals(floorRequest, Arrays.copyOf(atFar.getData(), atFar.getLength())), "BFCP crossed unchanged");
            byte[] floorStatus = {0x20, 0x04, 0x00, 0x01, 0x00, 0x00, 0x10, (byte) 0xE1};
            farBfcp.send(new DatagramPacket(floorStatus, floorStatus.length, atFar.getSocketAddress()));
            DatagramPacket atCaller = receive(callerBfcp);
            assertTrue(Arrays.equals(floorStatus, Arrays.copyOf(atCaller.getData(), atCaller.getLength())));

            List<RtpEndpoint> all = List.of(callerAudio, callerVideo, farAudio, farVideo);
            for (int i = 0; i < 600 && all.stream().anyMatch(e -> e.packetsReceived() < PACKETS && e.failure().isEmpty()); i++) {
                Thread.sleep(50);
            }
            caller.send(caller.request("BYE", "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100", "8100", callId, 2, "")
                    .replace("To: <sip:8100@127.0.0.1>", "To: <sip:8100@127.0.0.1>;tag=" + toTag));
            assertTrue(caller.receiveFinal().startsWith("SIP/2.0 200 "));
            ProcessOutput far = pbx.finish();
            assertEquals(0, far.exitCode(), far.output());
            for (RtpEndpoint e : all) {
                assertEquals(Optional.empty(), e.failure());
                assertTrue(e.packetsReceived() >= PACKETS, "each end received its stream: " + e.packetsReceived());
            }

            List<String> toFar = sections(Sipp.tracedMessages(far.output(), true).stream()
                    .filter(m -> m.startsWith("INVITE ")).findFirst().orElseThrow());
            assertEquals(3, toFar.size());
            String callerAudioKey = key(toCaller.get(0), "1");
            String callerVideoKey = key(toCaller.get(1), "1");
            String farTag = far.output().replaceAll("(?s).*a=crypto:([0-9]+) " + SUITE.sdesName() + " inline:.*", "$1");
            String farAudioKey = key(toFar.get(0), farTag);
            String farVideoKey = key(toFar.get(1), farTag);
            assertEquals(4, new HashSet<>(List.of(callerAudioKey, callerVideoKey, farAudioKey, farVideoKey)).size(),
                    "each stream and leg has keys of its own");

            assertCarries(callerAudio, callerAudioKey, FAR_AUDIO_LEVEL, callerVideoKey);
            assertCarries(callerVideo, callerVideoKey, FAR_VIDEO_LEVEL, callerAudioKey);
            assertCarries(farAudio, farAudioKey, AUDIO_LEVEL, farVideoKey);
            assertCarries(farVideo, farVideoKey, VIDEO_LEVEL, farAudioKey);
            assertTrue(toFar.get(2).startsWith("m=application ") && toFar.get(2).contains(" UDP/BFCP *"), toFar.get(2));
        }
    }

    /**
     * From the attacker's side: an offer with 50 m= lines, some of media types nobody knows, some
     * TCP, takes at most six streams' ports (the relay here has 50 pairs: without the cap it would
     * run out), the call goes on, and every port comes back when it ends.
     */
    @Test
    void anOfferWithFiftyStreamsAnchorsAtMostSixAndTheCallGoesOn() throws Exception {
        org.sipshield.media.MediaRelay relay = proxy.server.media().relay();
        for (int i = 0; i < 200 && relay.activeSessions() > 0; i++) { // the other test's call, if it ran first
            Thread.sleep(20);
        }
        int freeBefore = relay.freePortPairs();
        try (Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort);
                UdpSipClient caller = new UdpSipClient(CARRIER, "127.0.0.1", proxy.sipPort)) {
            StringBuilder offer = new StringBuilder("v=0\r\no=carrier 1 1 IN IP4 " + CARRIER + "\r\ns=-\r\nc=IN IP4 "
                    + CARRIER + "\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
            String[] kinds = {"video %d RTP/AVP 96", "x-hologram %d QUANTUM/9 1", "application %d TCP/BFCP *"};
            for (int i = 1; i < 50; i++) {
                offer.append("m=").append(kinds[i % 3].formatted(40000 + 2 * i)).append("\r\n");
            }
            String callId = "fifty-" + System.nanoTime();
            String ok = caller.exchange(withBody(caller.request("INVITE", "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100",
                    "8100", callId, 1, ""), offer.toString()));
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
            String toTag = UdpSipClient.header(ok, "To").replaceAll(".*;tag=([^;>]+).*", "$1");
            caller.send(caller.request("ACK", "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100", "8100", callId, 1, "")
                    .replace("To: <sip:8100@127.0.0.1>", "To: <sip:8100@127.0.0.1>;tag=" + toTag));

            List<String> atFar = sections(Sipp.tracedMessages(pbx.messages(), true).stream()
                    .filter(m -> m.startsWith("INVITE ")).findFirst().orElseThrow());
            assertEquals(50, atFar.size(), "every m= line keeps its place");
            List<String> anchored = atFar.stream().filter(m -> !m.split(" ")[1].equals("0")).toList();
            assertEquals(6, anchored.size(), "the audio and the first five videos: " + anchored);
            assertTrue(anchored.stream().allMatch(m -> m.startsWith("m=audio ") || m.startsWith("m=video ")), anchored.toString());
            // the far end answered audio only: the five videos were released with its answer
            assertEquals(1, relay.activeSessions());

            caller.send(caller.request("BYE", "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100", "8100", callId, 2, "")
                    .replace("To: <sip:8100@127.0.0.1>", "To: <sip:8100@127.0.0.1>;tag=" + toTag));
            assertTrue(caller.receiveFinal().startsWith("SIP/2.0 200 "));
            assertEquals(0, pbx.finish().exitCode());
        }
        for (int i = 0; i < 200 && relay.freePortPairs() != freeBefore; i++) {
            Thread.sleep(20);
        }
        assertEquals(freeBefore, relay.freePortPairs(), "every port came back");
    }

    /** What the endpoint received decrypts with the relay's key of its stream, carries that stream's level, and fails with the other stream's key. */
    private static void assertCarries(RtpEndpoint endpoint, String relayKey, short level, String otherStreamsKey) {
        int[] rejected = {0};
        short[] samples = endpoint.decoded(relayKey, rejected);
        assertEquals(0, rejected[0], "every packet authenticates with its stream's key");
        long near = 0;
        for (short s : samples) {
            assertTrue(s == 0 || Math.abs(s - level) <= Math.abs(level) / 8, "a sample of another signal: " + s + " for " + level);
            near += s == 0 ? 0 : 1;
        }
        assertTrue(near >= (long) PACKETS * 160 * 9 / 10, "the stream's own signal arrived: " + near + " samples");
        int[] other = {0};
        endpoint.decoded(otherStreamsKey, other);
        assertEquals(endpoint.packetsReceived(), other[0], "no packet decrypts with the other stream's key");
    }

    private static short[] level(short value) {
        short[] signal = new short[160 * 1500]; // 30 s: longer than the test lets it run
        Arrays.fill(signal, value);
        return signal;
    }

    private static DatagramPacket receive(DatagramSocket socket) throws Exception {
        socket.setSoTimeout(5000);
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        socket.receive(packet);
        return packet;
    }

    private static String withBody(String request, String sdp) {
        return request.replace("Content-Length: 0\r\n\r\n", "Content-Type: application/sdp\r\nContent-Length: "
                + sdp.length() + "\r\n\r\n" + sdp);
    }

    /** The m= sections of a message's SDP body, each as text starting with its m= line. */
    static List<String> sections(String message) {
        String body = message.split("\r?\n\r?\n", 2)[1];
        List<String> out = new ArrayList<>();
        for (String part : body.split("(?m)^(?=m=)")) {
            if (part.startsWith("m=")) {
                out.add(part);
            }
        }
        return out;
    }

    /** Where the relay receives a stream: its port on the section's m= line, at the relay's address. */
    private static InetSocketAddress relay(String section) {
        assertTrue(section.contains("c=IN IP4 127.0.0.1") || !section.contains("c="), section);
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(section.split(" ")[1]));
    }

    /** The inline key of a section's a=crypto line with that tag and our suite. */
    private static String key(String section, String tag) {
        for (String line : section.split("\r?\n")) {
            String prefix = "a=crypto:" + tag + " " + SUITE.sdesName() + " inline:";
            if (line.trim().startsWith(prefix)) {
                String inline = line.trim().substring(prefix.length());
                return inline.contains("|") ? inline.substring(0, inline.indexOf('|')) : inline.split("\\s")[0];
            }
        }
        throw new AssertionError("no " + SUITE.sdesName() + " key with tag " + tag + " in\n" + section);
    }
}
