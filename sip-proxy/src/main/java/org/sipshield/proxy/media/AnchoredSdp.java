package org.sipshield.proxy.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import org.sipshield.proxy.media.SdpMessage.SdpMedia;

/** What the SDP step reads from an SDP and writes into it to point its streams at the relay. */
final class AnchoredSdp {
    /** Attributes that describe the peer's own transport: they never cross to the other leg (nor do keys). */
    private static final String[] LEG_LOCAL = {"rtcp", "rtcp-mux", "candidate", "remote-candidates", "ice-ufrag",
        "ice-pwd", "ice-options", "ice-lite", "fingerprint", "setup", "connection", "rtcp-rsize",
        // RFC 5576 source attributes: their CNAME names the caller's user and host (topology hiding)
        "ssrc", "ssrc-group"};

    private AnchoredSdp() {}

    /**
     * Points the SDP at the relay's address: origin and connection lines; keys and leg-local
     * attributes removed from every stream. The ports are the caller's to set, stream by stream.
     */
    static void pointAtRelay(SdpMessage sdp, String address) {
        String family = address.contains(":") ? "IP6" : "IP4";
        sdp.removeKeyingMaterial();
        for (int i = 0; i < sdp.session.size(); i++) {
            String l = sdp.session.get(i);
            if (l.startsWith("c=")) {
                sdp.session.set(i, "c=IN " + family + " " + address);
            } else if (l.startsWith("o=")) {
                String[] f = l.substring(2).split("\\s+");
                if (f.length == 6) {
                    sdp.session.set(i, "o=" + f[0] + " " + f[1] + " " + f[2] + " IN " + family + " " + address);
                }
            }
        }
        boolean sessionConnection = sdp.sessionConnection().isPresent();
        for (SdpMedia m : sdp.media) {
            m.removeAttributes(LEG_LOCAL);
            m.lines.replaceAll(l -> l.startsWith("c=") ? "c=IN " + family + " " + address : l);
            if (!sessionConnection && SdpMessage.connection(m.lines).isEmpty()) {
                m.lines.add(0, "c=IN " + family + " " + address); // every stream needs one (RFC 4566 5.7)
            }
        }
    }

    /**
     * A stream that does not cross (port 0): only its m= line goes on (RFC 3264 6: it keeps its
     * place), since its attributes may name the peer's own addresses (a=path, a=candidate...).
     */
    static void decline(SdpMedia media) {
        media.port = 0;
        media.lines.clear();
    }

    /** An anchored RTP stream's relay ports: RTCP on the next port, and rtcp-mux where the relay offers or accepts it. */
    static void relayPorts(SdpMedia media, int rtpPort, int rtcpPort, boolean mux) {
        media.port = rtpPort;
        media.lines.add("a=rtcp:" + rtcpPort);
        if (mux) {
            media.lines.add("a=rtcp-mux");
        }
    }

    /**
     * Hold (RFC 3264 section 8.4): the stream is sendonly, recvonly or inactive (media level, else
     * session level), or its address is 0.0.0.0 (RFC 2543 hold). Silence is then agreed, not lost media.
     */
    static boolean holds(SdpMessage sdp, SdpMedia media) {
        String direction = direction(media.lines);
        if (direction == null) {
            direction = direction(sdp.session);
        }
        String host = SdpMessage.connection(media.lines).or(sdp::sessionConnection).orElse("");
        return (direction != null && !direction.equals("sendrecv")) || host.equals("0.0.0.0");
    }

    private static String direction(List<String> lines) {
        for (String l : lines) {
            if (l.equals("a=sendonly") || l.equals("a=recvonly") || l.equals("a=inactive") || l.equals("a=sendrecv")) {
                return l.substring(2);
            }
        }
        return null;
    }

    /** The RTP profile we offer: SAVP or AVP, keeping the offer's feedback (F) form. */
    static String profile(String offered, boolean savp) {
        boolean feedback = offered.toUpperCase(Locale.ROOT).endsWith("F");
        return (savp ? "RTP/SAVP" : "RTP/AVP") + (feedback ? "F" : "");
    }

    /** The peer's media address from c= (media level first) and a port; null for hold (0.0.0.0) or a non-literal. */
    static InetSocketAddress address(SdpMessage sdp, SdpMedia media, int port) {
        String host = SdpMessage.connection(media.lines).or(sdp::sessionConnection).orElse(null);
        if (host == null || port <= 0 || port > 65535 || host.equals("0.0.0.0") || host.equals("::")
                || !host.matches("[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45}")) {
            return null; // never a DNS look-up on the signalling path
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
