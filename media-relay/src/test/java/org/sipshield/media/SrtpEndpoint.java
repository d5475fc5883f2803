package org.sipshield.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.sipshield.srtp.SdesSelection;
import org.sipshield.srtp.SrtpEngine;
import org.sipshield.srtp.SrtpSession;
import org.sipshield.srtp.SrtpStatus;

/**
 * A phone's media end in tests: real UDP sockets on 127.0.0.1 (RTP and RTCP) and, for SRTP, its
 * own sessions from its side of the SDES negotiation, on libsrtp2 so the relay's core is checked
 * against an independent engine.
 */
final class SrtpEndpoint implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final DatagramSocket rtp;
    final DatagramSocket rtcp;
    private final SrtpSession outbound;
    private final SrtpSession inbound;
    private final ByteBuffer work = ByteBuffer.allocateDirect(2048);

    private SrtpEndpoint(SdesSelection selection) throws IOException {
        rtp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        rtcp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        rtp.setSoTimeout(3000);
        rtcp.setSoTimeout(3000);
        outbound = selection == null ? null : selection.openOutbound(SrtpEngine.LIBSRTP2);
        inbound = selection == null ? null : selection.openInbound(SrtpEngine.LIBSRTP2);
    }

    static SrtpEndpoint srtp(SdesSelection selection) throws IOException {
        return new SrtpEndpoint(selection);
    }

    static SrtpEndpoint plain() throws IOException {
        return new SrtpEndpoint(null);
    }

    InetSocketAddress rtpAddress() {
        return (InetSocketAddress) rtp.getLocalSocketAddress();
    }

    InetSocketAddress rtcpAddress() {
        return (InetSocketAddress) rtcp.getLocalSocketAddress();
    }

    /** Protects (if SRTP) and returns the bytes as they go on the wire. */
    byte[] protectRtp(byte[] plain) {
        return outbound == null ? plain.clone() : run(plain, true, true);
    }

    byte[] protectRtcp(byte[] plain) {
        return outbound == null ? plain.clone() : run(plain, false, true);
    }

    byte[] unprotectRtp(byte[] wire) {
        return inbound == null ? wire.clone() : run(wire, true, false);
    }

    byte[] unprotectRtcp(byte[] wire) {
        return inbound == null ? wire.clone() : run(wire, false, false);
    }

    private byte[] run(byte[] packet, boolean isRtp, boolean protect) {
        work.clear();
        work.put(packet).flip();
        SrtpStatus status = protect ? (isRtp ? outbound.protectRtp(work) : outbound.protectRtcp(work))
                : (isRtp ? inbound.unprotectRtp(work) : inbound.unprotectRtcp(work));
        assertEquals(SrtpStatus.OK, status, "endpoint " + (protect ? "protect" : "unprotect"));
        byte[] out = new byte[work.remaining()];
        work.get(out);
        return out;
    }

    static void send(DatagramSocket from, byte[] wire, int toPort) throws IOException {
        from.send(new DatagramPacket(wire, wire.length, new InetSocketAddress(LOOPBACK, toPort)));
    }

    static byte[] receive(DatagramSocket on) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        on.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    /** An RTCP receiver report without report blocks (8 octets). */
    static byte[] rtcpReceiverReport(int ssrc) {
        return new byte[] {(byte) 0x80, (byte) 201, 0, 1, (byte) (ssrc >> 24), (byte) (ssrc >> 16), (byte) (ssrc >> 8), (byte) ssrc};
    }

    @Override
    public void close() {
        rtp.close();
        rtcp.close();
        if (outbound != null) {
            outbound.close();
            inbound.close();
        }
    }
}
