package org.sipshield.proxy.peers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.srtp.SdesCryptoAttribute;
import org.sipshield.srtp.SdesParseResult;
import org.sipshield.srtp.SrtpDirection;
import org.sipshield.srtp.SrtpEngine;
import org.sipshield.srtp.SrtpSession;
import org.sipshield.srtp.SrtpStatus;
import org.sipshield.testing.RtpPackets;

/**
 * The media half of a far end whose signalling is sipp: one PCMU stream on a loopback UDP port,
 * SRTP through Debian's libsrtp2 (the reference engine, not our core) on any of the six SDES
 * suites, or plain RTP. It answers symmetrically: once the relay's first packet arrives it plays
 * its signal back to where that came from, at 50 packets a second; what it received is kept and
 * decoded after the call, with the key the relay offered (read from sipp's trace).
 */
public final class RtpEndpoint implements AutoCloseable {
    private final DatagramSocket socket;
    private final CryptoSuite suite; // null: plain RTP
    private final String sendingKey; // base64 key||salt of what we protect, as put in our SDP answer
    private final List<byte[]> received = new ArrayList<>();
    private Thread worker;
    private volatile boolean stop;
    private volatile String failure;
    private volatile int injectEvery; // 0: an honest endpoint
    private final AtomicInteger forgedSent = new AtomicInteger();
    private final AtomicInteger replaysSent = new AtomicInteger();

    /** A plain RTP endpoint ({@code suite} empty) or an SRTP one on that suite. */
    public RtpEndpoint(String address, Optional<CryptoSuite> suite) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), evenFreePort(address)));
        this.suite = suite.orElse(null);
        if (this.suite == null) {
            sendingKey = null;
        } else {
            byte[] keyAndSalt = new byte[this.suite.masterKeyLength() + this.suite.masterSaltLength()];
            new SecureRandom().nextBytes(keyAndSalt);
            sendingKey = Base64.getEncoder().encodeToString(keyAndSalt);
        }
    }

    private static int evenFreePort(String address) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0))) {
                port = probe.getLocalPort() & ~1;
            }
            try (DatagramSocket rtcp = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), port + 1))) {
                return port; // RTCP's port free too, so nothing else answers there
            } catch (IOException taken) {
                // next
            }
        }
        throw new IOException("no even port free on " + address);
    }

    /**
     * Makes the endpoint an attacker on its own leg too (SRTP only): before every n-th frame it
     * sends a copy of it with a corrupted authentication tag, and after it the previous frame again.
     * Both come from the address the relay latched, so only SRTP itself can refuse them.
     */
    public void injectForgeriesAndReplays(int everyNthFrame) {
        injectEvery = everyNthFrame;
    }

    public int forgedSent() {
        return forgedSent.get();
    }

    public int replaysSent() {
        return replaysSent.get();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The inline key of our SDP answer (base64 key||salt), or null for plain RTP. */
    public String sendingKey() {
        return sendingKey;
    }

    /**
     * Starts answering: waits (at most {@code waitSeconds}) for the first packet, then sends
     * {@code signal} as PCMU (protected on the suite) while keeping whatever arrives, until
     * {@link #close()}.
     */
    public void start(short[] signal, int waitSeconds) {
        start(signal, waitSeconds, null);
    }

    /**
     * Starts as the side that speaks first (a caller): sends {@code signal} to {@code relay} at once,
     * keeping whatever arrives, until {@link #close()}.
     */
    public void startTowards(InetSocketAddress relay, short[] signal) {
        start(signal, 0, relay);
    }

    private void start(short[] signal, int waitSeconds, SocketAddress firstPeer) {
        worker = new Thread(() -> run(signal, waitSeconds, firstPeer), "rtp-endpoint-" + port());
        worker.setDaemon(true);
        worker.start();
    }

    private void run(short[] signal, int waitSeconds, SocketAddress firstPeer) {
        try (SrtpSession protect = suite == null ? null : SrtpSession.open(SrtpEngine.LIBSRTP2, SrtpDirection.OUTBOUND,
                masterKey(suite, sendingKey))) {
            byte[] buffer = new byte[2048];
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            long firstDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            SocketAddress relay = firstPeer;
            socket.setSoTimeout(5);
            int frame = 0;
            int ssrc = new SecureRandom().nextInt();
            long nextSend = System.nanoTime();
            byte[] previous = null;
            while (!stop) {
                try {
                    socket.receive(in);
                    byte[] copy = new byte[in.getLength()];
                    System.arraycopy(buffer, 0, copy, 0, copy.length);
                    if (isRtp(copy)) {
                        synchronized (received) {
                            received.add(copy);
                        }
                        if (relay == null) {
                            relay = in.getSocketAddress();
                            nextSend = System.nanoTime();
                        }
                    }
                } catch (SocketTimeoutException quiet) {
                    if (relay == null && System.nanoTime() > firstDeadline) {
                        failure = "no media arrived within " + waitSeconds + " s";
                        return;
                    }
                }
                if (relay != null && (frame + 1) * 160 <= signal.length && System.nanoTime() >= nextSend) {
                    byte[] packet = rtpPacket(signal, frame, ssrc);
                    ByteBuffer out = ByteBuffer.allocateDirect(packet.length + 64);
                    out.put(packet).flip();
                    if (protect != null) {
                        SrtpStatus status = protect.protectRtp(out);
                        if (status != SrtpStatus.OK) {
                            failure = "libsrtp2 could not protect: " + status;
                            return;
                        }
                    }
                    byte[] wire = new byte[out.remaining()];
                    out.get(wire);
                    boolean inject = protect != null && injectEvery > 0 && frame % injectEvery == 0 && previous != null;
                    if (inject) {  // a sequence number not seen yet, so the tag alone refuses it
                        byte[] forged = wire.clone();
                        forged[forged.length - 1] ^= 0x01;
                        socket.send(new DatagramPacket(forged, forged.length, relay));
                        forgedSent.incrementAndGet();
                    }
                    socket.send(new DatagramPacket(wire, wire.length, relay));
                    if (inject) {
                        socket.send(new DatagramPacket(previous, previous.length, relay));
                        replaysSent.incrementAndGet();
                    }
                    previous = wire;
                    frame++;
                    nextSend += TimeUnit.MILLISECONDS.toNanos(20);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stop) {
                failure = e.toString();
            }
        }
    }

    private static boolean isRtp(byte[] packet) {
        // version 2, and not RTCP (its packet types 200-204 sit where RTP has marker and payload type)
        int type = packet.length >= 2 ? packet[1] & 0xFF : 0;
        return packet.length >= 12 && (packet[0] & 0xC0) == 0x80 && (type < 200 || type > 204);
    }

    private static byte[] rtpPacket(short[] signal, int frame, int ssrc) {
        byte[] payload = new byte[RtpPackets.G711_FRAME];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = G711.muLaw(signal[frame * RtpPackets.G711_FRAME + i]);
        }
        return RtpPackets.packet(ssrc, frame, 0, payload);
    }

    /** Why the endpoint stopped early, if it did. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    public int packetsReceived() {
        synchronized (received) {
            return received.size();
        }
    }

    /**
     * What arrived, unprotected with {@code relayInlineKey} (the relay's a=crypto key for this leg;
     * ignored for plain RTP) and decoded from PCMU, in sequence order. Packets that do not
     * authenticate are counted in {@code rejected[0]} and left out (silence in their place).
     */
    public short[] decoded(String relayInlineKey, int[] rejected) {
        List<byte[]> packets;
        synchronized (received) {
            packets = new ArrayList<>(received);
        }
        TreeMap<Integer, short[]> bySequence = new TreeMap<>();
        try (SrtpSession unprotect = suite == null ? null
                : SrtpSession.open(SrtpEngine.LIBSRTP2, SrtpDirection.INBOUND, masterKey(suite, relayInlineKey))) {
            int firstSeq = -1;
            int ssrc = 0;
            for (byte[] packet : packets) {
                ByteBuffer b = ByteBuffer.allocateDirect(packet.length);
                b.put(packet).flip();
                if (unprotect != null && unprotect.unprotectRtp(b) != SrtpStatus.OK) {
                    rejected[0]++;
                    continue;
                }
                byte[] plain = new byte[b.remaining()];
                b.get(plain);
                int cc = plain[0] & 0x0F;
                int offset = 12 + 4 * cc;
                if ((plain[0] & 0x10) != 0 && plain.length >= offset + 4) {
                    offset += 4 + 4 * (((plain[offset + 2] & 0xFF) << 8) | (plain[offset + 3] & 0xFF));
                }
                if ((plain[1] & 0x7F) != 0 || offset >= plain.length) {
                    continue; // not PCMU (e.g. comfort noise, telephone-event)
                }
                int seq = ((plain[2] & 0xFF) << 8) | (plain[3] & 0xFF);
                int packetSsrc = ByteBuffer.wrap(plain, 8, 4).getInt();
                if (firstSeq < 0) {
                    firstSeq = seq;
                    ssrc = packetSsrc;
                } else if (packetSsrc != ssrc) {
                    continue; // one stream: the first one's
                }
                short[] samples = new short[plain.length - offset];
                for (int i = 0; i < samples.length; i++) {
                    samples[i] = G711.linear(plain[offset + i]);
                }
                bySequence.put((int) (short) (seq - firstSeq), samples); // signed: a packet that overtook the first one
            }
        }
        if (bySequence.isEmpty()) {
            return new short[0];
        }
        // each packet at its place in time: a lost one leaves 20 ms of silence, not a shift of all that follows
        int first = bySequence.firstKey();
        short[] audio = new short[(bySequence.lastKey() - first + 1) * 160];
        bySequence.forEach((key, samples) -> System.arraycopy(samples, 0, audio, (key - first) * 160,
                Math.min(samples.length, audio.length - (key - first) * 160)));
        return audio;
    }

    private static org.sipshield.srtp.SrtpMasterKey masterKey(CryptoSuite suite, String inline) {
        SdesParseResult parsed = SdesCryptoAttribute.parse("a=crypto:1 " + suite.sdesName() + " inline:" + inline);
        if (!parsed.isAccepted()) {
            throw new IllegalArgumentException("not a key for " + suite + ": " + parsed.detail());
        }
        return parsed.attribute().keyParam().key();
    }

    @Override
    public void close() {
        stop = true;
        if (worker != null) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        socket.close();
    }

    /** G.711 mu-law (PCMU), as RFC 3551 names it for payload type 0. */
    static final class G711 {
        private G711() {}

        static byte muLaw(short sample) {
            int pcm = sample;
            int sign = (pcm >> 8) & 0x80;
            if (sign != 0) {
                pcm = -pcm;
            }
            pcm = Math.min(pcm, 32635) + 0x84;
            int exponent = 7;
            for (int mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1) {
                exponent--;
            }
            int mantissa = (pcm >> (exponent + 3)) & 0x0F;
            return (byte) ~(sign | (exponent << 4) | mantissa);
        }

        static short linear(byte code) {
            int u = ~code & 0xFF;
            int t = ((u & 0x0F) << 3) + 0x84;
            t <<= (u & 0x70) >> 4;
            return (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
        }
    }
}
