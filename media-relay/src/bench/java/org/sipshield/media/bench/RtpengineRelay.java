package org.sipshield.media.bench;

import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SdesSelection;
import org.sipshield.srtp.SrtpEngine;

/**
 * Debian's rtpengine as the reference: userspace forwarding only (--table=-1), driven through its
 * ng control protocol (bencode over UDP), the same SDES offer/answer as our relay gets. Leg B answers
 * the AEAD_AES_128_GCM line, so rtpengine must decrypt leg A's AES-CM and encrypt again (no pass-through).
 */
final class RtpengineRelay implements RelayUnderTest {
    private static final int NG_PORT = 22222;
    private final Process process;
    private final DatagramSocket control;
    private final List<String> calls = new ArrayList<>();
    private final String run = Long.toString(System.nanoTime(), 36);
    private int cookie;

    /**
     * @param cpus             the command that places the relay on its CPUs (taskset ...), or empty
     * @param realtimePriority its media threads under SCHED_FIFO at this priority (its --scheduling and
     *                         --priority); 0: normal
     */
    RtpengineRelay(List<String> cpus, int threads, int realtimePriority) throws Exception {
        Path log = Files.createTempFile("rtpengine", ".log");
        List<String> command = new ArrayList<>(cpus);
        command.addAll(List.of("rtpengine", "--foreground", "--log-stderr", "--table=-1", "--interface=127.0.0.1",
                "--listen-ng=127.0.0.1:" + NG_PORT, "--port-min=10000", "--port-max=29999",
                "--num-threads=" + threads, "--log-level=3", "--delete-delay=0", "--timeout=3600"));
        if (realtimePriority > 0) {
            command.addAll(List.of("--scheduling=fifo", "--priority=" + realtimePriority));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        control = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        control.setSoTimeout(500);
        for (int i = 0; ; i++) {
            try {
                command(Map.of("command", "ping"));
                break;
            } catch (java.net.SocketTimeoutException e) {
                if (i > 20 || !process.isAlive()) {
                    throw new IllegalStateException("rtpengine did not start: " + Files.readString(log));
                }
            }
        }
        control.setSoTimeout(5000);
    }

    @Override
    public String name() {
        return "rtpengine";
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> command(Map<String, Object> message) throws Exception {
        String id = run + "-" + (++cookie);
        byte[] body = Bencode.encode(message);
        byte[] packet = new byte[id.length() + 1 + body.length];
        System.arraycopy((id + " ").getBytes(StandardCharsets.US_ASCII), 0, packet, 0, id.length() + 1);
        System.arraycopy(body, 0, packet, id.length() + 1, body.length);
        control.send(new DatagramPacket(packet, packet.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), NG_PORT)));
        byte[] buffer = new byte[65536];
        while (true) {
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            control.receive(reply);
            String text = new String(buffer, 0, reply.getLength(), StandardCharsets.ISO_8859_1);
            if (text.startsWith(id + " ")) {
                byte[] dict = java.util.Arrays.copyOfRange(buffer, id.length() + 1, reply.getLength());
                Map<String, Object> result = (Map<String, Object>) Bencode.decode(dict);
                if (!"ok".equals(result.get("result")) && !"pong".equals(result.get("result"))) {
                    throw new IllegalStateException("rtpengine: " + result);
                }
                return result;
            }
        }
    }

    private static String sdp(int port, List<String> crypto) {
        StringBuilder b = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + port + " RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=rtcp-mux\r\na=sendrecv\r\n");
        crypto.forEach(l -> b.append(l).append("\r\n"));
        return b.toString();
    }

    private static int mPort(String sdp) {
        for (String l : sdp.split("\r?\n")) {
            if (l.startsWith("m=audio ")) {
                return Integer.parseInt(l.split(" ")[1]);
            }
        }
        throw new IllegalStateException("no m=audio in rtpengine's SDP");
    }

    private static List<String> cryptoLines(String sdp) {
        List<String> out = new ArrayList<>();
        for (String l : sdp.split("\r?\n")) {
            if (l.startsWith("a=crypto:")) {
                out.add(l.strip());
            }
        }
        return out;
    }

    @Override
    public Stream open(int index, InetSocketAddress sender, InetSocketAddress receiver) throws Exception {
        String callId = "bench-" + run + "-" + index;
        calls.add(callId);
        SdesOffer phoneOffer = Keys.negotiator(Keys.LEG_A).createOffer();
        Map<String, Object> offer = new LinkedHashMap<>();
        offer.put("command", "offer");
        offer.put("call-id", callId);
        offer.put("from-tag", "a" + index);
        offer.put("sdp", sdp(sender.getPort(), phoneOffer.sdpLines()));
        String towardsB = (String) command(offer).get("sdp");
        SdesAnswer phoneB = Keys.negotiator(Keys.LEG_B).answer(cryptoLines(towardsB));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("command", "answer");
        answer.put("call-id", callId);
        answer.put("from-tag", "a" + index);
        answer.put("to-tag", "b" + index);
        answer.put("sdp", sdp(receiver.getPort(), List.of(phoneB.answerLine().orElseThrow())));
        phoneB.selection().orElseThrow().discard();
        String towardsA = (String) command(answer).get("sdp");
        List<String> aLines = cryptoLines(towardsA);
        SdesSelection phoneA = phoneOffer.accept(aLines.get(0)).selection().orElseThrow();
        return new Stream(index, new InetSocketAddress(InetAddress.getLoopbackAddress(), mPort(towardsA)),
                phoneA.openOutbound(SrtpEngine.OPENSSL));
    }

    @Override
    public void closeStreams() throws Exception {
        for (String callId : calls) {
            command(Map.of("command", "delete", "call-id", callId));
        }
        calls.clear();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public double cpuSeconds() throws Exception {
        return ProcessCpu.seconds(process.pid());
    }

    @Override
    public void close() throws Exception {
        control.close();
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
