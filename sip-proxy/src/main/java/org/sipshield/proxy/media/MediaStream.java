package org.sipshield.proxy.media;

import java.util.Locale;
import java.util.Optional;
import org.sipshield.proxy.media.SdpMessage.SdpMedia;

/**
 * How the relay can carry one m= line: RTP (RTP/AVP, RTP/SAVP and their feedback forms: SRTP
 * re-keyed per leg), a UDP stream that is not RTP (UDP/BFCP, udptl: datagrams cross unchanged), or
 * not at all (TCP/BFCP, TCP/TLS/BFCP, DTLS's UDP/TLS/RTP/SAVP, anything unknown): such a stream
 * is declined with port 0 on both legs.
 */
enum MediaStream {
    RTP,
    DATAGRAMS;

    /** The kind of an m= line's transport, or empty when the relay cannot carry it. */
    static Optional<MediaStream> of(SdpMedia media) {
        String proto = media.proto.toUpperCase(Locale.ROOT);
        if (proto.startsWith("RTP/")) {
            return Optional.of(RTP);
        }
        if (proto.equals("UDP") || proto.equals("UDPTL") || (proto.startsWith("UDP/") && !proto.startsWith("UDP/TLS/"))) {
            return Optional.of(DATAGRAMS);
        }
        return Optional.empty();
    }
}
