package org.sipshield.testing;

import java.nio.ByteBuffer;

/** Plain RTP packets (RFC 3550: version 2, no padding, extension or CSRC) as a G.711 phone sends them. */
public final class RtpPackets {
    /** Twenty milliseconds of G.711 at 8 kHz. */
    public static final int G711_FRAME = 160;

    private RtpPackets() {}

    /**
     * A 172-octet PCMU packet whose payload depends on the sequence number, so a packet that
     * arrives can be told from every other one of the stream.
     */
    public static byte[] g711(int ssrc, int seq) {
        return g711(ssrc, seq, 0);
    }

    /** As {@link #g711(int, int)}, with another payload type. */
    public static byte[] g711(int ssrc, int seq, int payloadType) {
        byte[] payload = new byte[G711_FRAME];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (seq * 31 + 12 + i);
        }
        return packet(ssrc, seq, payloadType, payload);
    }

    /** A packet with this payload; the timestamp advances by the payload's length per sequence number. */
    public static byte[] packet(int ssrc, int seq, int payloadType, byte[] payload) {
        return ByteBuffer.allocate(12 + payload.length)
                .put((byte) 0x80).put((byte) payloadType).putShort((short) seq)
                .putInt(seq * payload.length).putInt(ssrc)
                .put(payload).array();
    }
}
