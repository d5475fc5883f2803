package org.sipshield.srtp;

import java.nio.ByteBuffer;
import java.util.Random;

/** Builders for RTP/RTCP test packets and buffer helpers. */
final class Packets {
    private Packets() {}

    static byte[] rtp(int seq, int ssrc, int payloadLength, Random r) {
        return rtp(seq, ssrc, 0, false, payloadLength, r);
    }

    /** An RTP packet with {@code csrcs} CSRCs and optionally a header extension of random length. */
    static byte[] rtp(int seq, int ssrc, int csrcs, boolean extension, int payloadLength, Random r) {
        int extWords = extension ? r.nextInt(4) : 0;
        int h = 12 + 4 * csrcs + (extension ? 4 + 4 * extWords : 0);
        byte[] p = new byte[h + payloadLength];
        r.nextBytes(p);
        p[0] = (byte) (0x80 | (extension ? 0x10 : 0) | csrcs);
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        put32(p, 8, ssrc);
        if (extension) {
            int e = 12 + 4 * csrcs;
            p[e + 2] = (byte) (extWords >> 8);
            p[e + 3] = (byte) extWords;
        }
        return p;
    }

    /** A sender report-shaped RTCP packet with random body. */
    static byte[] rtcp(int ssrc, int length, Random r) {
        byte[] p = new byte[length];
        r.nextBytes(p);
        p[0] = (byte) 0x81;
        p[1] = (byte) 200;
        int words = length / 4 - 1;
        p[2] = (byte) (words >> 8);
        p[3] = (byte) words;
        put32(p, 4, ssrc);
        return p;
    }

    static void put32(byte[] p, int off, int v) {
        p[off] = (byte) (v >>> 24);
        p[off + 1] = (byte) (v >>> 16);
        p[off + 2] = (byte) (v >>> 8);
        p[off + 3] = (byte) v;
    }

    static ByteBuffer direct(byte[] packet, int capacity) {
        ByteBuffer b = ByteBuffer.allocateDirect(capacity);
        b.put(packet).flip();
        return b;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
