package org.sipshield.media;

import java.nio.ByteBuffer;

/**
 * Recognises an RTCP packet sent without SRTCP protection: a compound of RTCP packets (version 2,
 * packet types 192..223) whose length fields add up to exactly the datagram, with no SRTCP
 * index and tag after them. Some SDES phones send such packets on an SRTP leg: Debian's baresip
 * 1.0.0 (libre 1.1.0) sends its first RTCP packet (an APP "PING" to open NAT pinholes) before its
 * SRTP module protects the socket, and its closing BYE after the module is gone. They are dropped
 * like any packet that does not authenticate, but counted apart from authentication failures, which
 * point at forgery or wrong keys.
 *
 * <p>Only a packet the SRTP session refused is classified, so a genuine SRTCP packet that happens to
 * look like this is never dropped for it.
 */
final class RtcpInClear {
    private RtcpInClear() {}

    /** Read before unprotecting: a refused GCM packet's payload is wiped by the SRTP core. */
    static boolean looksLikePlainRtcp(ByteBuffer buf, int index, int length) {
        if (length < 8) {
            return false;
        }
        int at = 0;
        // bounded: every step advances by at least 4 octets
        while (at < length) {
            if (length - at < 4) {
                return false;
            }
            int first = buf.get(index + at) & 0xff;
            int type = buf.get(index + at + 1) & 0xff;
            if ((first & 0xC0) != 0x80 || type < 192 || type > 223) {
                return false;
            }
            at += 4 * ((buf.getShort(index + at + 2) & 0xffff) + 1);
        }
        return at == length;
    }
}
