package org.sipshield.proxy.media;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An SDP body (RFC 4566) as lines: the session part and one {@link SdpMedia} per m= line. Just
 * enough structure to re-anchor media and swap a=crypto lines; everything else is kept as written.
 * Parsing never throws: a body that is not SDP is answered with {@link Optional#empty()}.
 */
final class SdpMessage {
    private static final int MAX_LINES = 500;

    final List<String> session;
    final List<SdpMedia> media;

    private SdpMessage(List<String> session, List<SdpMedia> media) {
        this.session = session;
        this.media = media;
    }

    static Optional<SdpMessage> parse(byte[] body) {
        if (body == null || body.length == 0 || body.length > 65536) {
            return Optional.empty();
        }
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\r?\n");
        if (lines.length == 0 || lines.length > MAX_LINES || !lines[0].strip().equals("v=0")) { // RFC 4566: the only version
            return Optional.empty();
        }
        List<String> session = new ArrayList<>();
        List<SdpMedia> media = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                return Optional.empty();
            }
            if (line.startsWith("m=")) {
                Optional<SdpMedia> m = SdpMedia.parse(line);
                if (m.isEmpty()) {
                    return Optional.empty();
                }
                media.add(m.get());
            } else if (media.isEmpty()) {
                session.add(line);
            } else {
                media.get(media.size() - 1).lines.add(line);
            }
        }
        return Optional.of(new SdpMessage(session, media));
    }

    /** The session-level connection address (c=IN IP4/IP6 addr), if any. */
    Optional<String> sessionConnection() {
        return connection(session);
    }

    /** The first audio stream that is not disabled (port 0). */
    Optional<SdpMedia> firstActiveAudio() {
        return media.stream().filter(m -> m.type.equals("audio") && m.port != 0).findFirst();
    }

    static Optional<String> connection(List<String> lines) {
        for (String l : lines) {
            if (l.startsWith("c=")) {
                String[] f = l.substring(2).trim().split("\\s+");
                if (f.length >= 3) {
                    String address = f[2];
                    int slash = address.indexOf('/');
                    return Optional.of(slash < 0 ? address : address.substring(0, slash));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Removes every line that can carry a leg's keys, wherever it is: a=crypto, a=key-mgmt, k=, and
     * any other line holding an SDES "inline:" key parameter (a malformed or misplaced one too).
     */
    void removeKeyingMaterial() {
        session.removeIf(SdpMessage::carriesKeys);
        media.forEach(m -> m.lines.removeIf(SdpMessage::carriesKeys));
    }

    private static boolean carriesKeys(String line) {
        return line.startsWith("a=crypto") || line.startsWith("a=key-mgmt") || line.startsWith("k=")
                || line.toLowerCase(java.util.Locale.ROOT).contains("inline:");
    }

    /** A copy whose lines can be changed without changing this one. */
    SdpMessage copy() {
        List<SdpMedia> mediaCopy = new ArrayList<>(media.size());
        for (SdpMedia m : media) {
            SdpMedia c = new SdpMedia(m.type, m.port, m.proto, m.formats);
            c.lines.addAll(m.lines);
            mediaCopy.add(c);
        }
        return new SdpMessage(new ArrayList<>(session), mediaCopy);
    }

    byte[] toBytes() {
        StringBuilder b = new StringBuilder();
        session.forEach(l -> b.append(l).append("\r\n"));
        for (SdpMedia m : media) {
            b.append(m.mLine()).append("\r\n");
            m.lines.forEach(l -> b.append(l).append("\r\n"));
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One m= section. */
    static final class SdpMedia {
        private static final String TOKEN = "[!#$%&'*+\\-.^_`{|}~0-9A-Za-z]+";
        final String type;
        int port;
        String proto;
        final String formats;
        final List<String> lines = new ArrayList<>();

        private SdpMedia(String type, int port, String proto, String formats) {
            this.type = type;
            this.port = port;
            this.proto = proto;
            this.formats = formats;
        }

        static Optional<SdpMedia> parse(String mLine) {
            String[] f = mLine.substring(2).trim().split("\\s+", 4);
            if (f.length < 3) {
                return Optional.empty();
            }
            String portText = f[1].contains("/") ? f[1].substring(0, f[1].indexOf('/')) : f[1];
            if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) > 65535) {
                return Optional.empty();
            }
            // media = token, proto = token *("/" token), fmt = token (RFC 4566 9): nothing else may hide in an m= line
            if (!f[0].matches(TOKEN) || !f[2].matches(TOKEN + "(/" + TOKEN + ")*")
                    || (f.length > 3 && !f[3].matches(TOKEN + "( +" + TOKEN + ")*"))) {
                return Optional.empty();
            }
            return Optional.of(new SdpMedia(f[0].toLowerCase(java.util.Locale.ROOT), Integer.parseInt(portText), f[2],
                    f.length > 3 ? f[3] : ""));
        }

        String mLine() {
            return "m=" + type + " " + port + " " + proto + (formats.isEmpty() ? "" : " " + formats);
        }

        boolean isSecureProfile() {
            return proto.toUpperCase(java.util.Locale.ROOT).startsWith("RTP/SAVP");
        }

        List<String> attributes(String name) {
            List<String> out = new ArrayList<>();
            String prefix = "a=" + name;
            for (String l : lines) {
                if (l.equals(prefix) || l.startsWith(prefix + ":")) {
                    out.add(l);
                }
            }
            return out;
        }

        boolean has(String attribute) {
            return !attributes(attribute).isEmpty();
        }

        /** The RTCP port: a=rtcp (RFC 3605) or the RTP port + 1. */
        int rtcpPort() {
            for (String l : attributes("rtcp")) {
                if (!l.startsWith("a=rtcp:")) {
                    continue; // "a=rtcp" without a value says nothing
                }
                String[] f = l.substring("a=rtcp:".length()).trim().split("\\s+");
                if (f[0].matches("[0-9]{1,5}")) {
                    return Integer.parseInt(f[0]);
                }
            }
            return port + 1;
        }

        void removeAttributes(String... names) {
            lines.removeIf(l -> {
                for (String n : names) {
                    if (l.equals("a=" + n) || l.startsWith("a=" + n + ":")) {
                        return true;
                    }
                }
                return false;
            });
        }
    }
}
