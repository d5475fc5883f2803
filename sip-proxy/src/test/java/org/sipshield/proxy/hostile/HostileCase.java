package org.sipshield.proxy.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of the hostile-input corpus (src/test/resources/hostile): a message template and
 * what the proxy must do with it over UDP and over TCP. Templates are written with LF line ends
 * (sent as CRLF); ${transport}, ${local}, ${localHost}, ${proxy}, ${id}, ${repeat:N:c} and
 * ${bodyLength} are filled in, and \xHH and \r stand for bytes a text file cannot show.
 */
record HostileCase(String corpus, String name, Expectation udp, Expectation tcp, String why) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-zA-Z]+)(?::(\\d+):(.))?}");
    private static final Pattern ESCAPE = Pattern.compile("\\\\x([0-9A-Fa-f]{2})|\\\\r");

    /** What must come back: a final response with this status (and reason text), or nothing at all. */
    record Expectation(Integer status, String reasonContains) {
        static Expectation parse(String text) {
            if (text.equals("-")) {
                return null; // not applicable on this transport (e.g. larger than any datagram)
            }
            if (text.equals("drop")) {
                return new Expectation(null, null);
            }
            int tilde = text.indexOf('~');
            return tilde < 0 ? new Expectation(Integer.parseInt(text), null)
                    : new Expectation(Integer.parseInt(text.substring(0, tilde)), text.substring(tilde + 1));
        }

        boolean isDrop() {
            return status == null;
        }

        boolean matches(String statusLine) {
            if (statusLine == null) {
                return isDrop();
            }
            if (isDrop() || !statusLine.startsWith("SIP/2.0 " + status + " ")) {
                return false;
            }
            return reasonContains == null || statusLine.toLowerCase(java.util.Locale.ROOT)
                    .contains(reasonContains.toLowerCase(java.util.Locale.ROOT));
        }

        @Override
        public String toString() {
            return isDrop() ? "silent drop" : status + (reasonContains == null ? "" : " (reason mentioning '" + reasonContains + "')");
        }
    }

    /** The cases of one corpus: "" for hostile/ itself, or a folder under it (e.g. "rfc4475/"). */
    static List<HostileCase> load(String corpus) throws IOException {
        List<HostileCase> cases = new ArrayList<>();
        for (String line : resource(corpus + "manifest.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] columns = line.split("\t+");
            if (columns.length != 4) {
                throw new IllegalStateException("manifest line needs 4 tab-separated columns: " + line);
            }
            cases.add(new HostileCase(corpus, columns[0], Expectation.parse(columns[1]), Expectation.parse(columns[2]), columns[3]));
        }
        return cases;
    }

    byte[] render(String transport, String localHost, int localPort, int proxyPort, String id) throws IOException {
        String text = resource(corpus + "cases/" + name + ".sip").replace("\r\n", "\n").replace("\n", "\r\n");
        Matcher placeholder = PLACEHOLDER.matcher(text);
        StringBuilder filled = new StringBuilder();
        while (placeholder.find()) {
            String value = switch (placeholder.group(1)) {
                case "transport" -> transport;
                case "local" -> localHost + ":" + localPort;
                case "localHost" -> localHost;
                case "proxy" -> "127.0.0.1:" + proxyPort;
                case "id" -> id;
                case "repeat" -> placeholder.group(3).repeat(Integer.parseInt(placeholder.group(2)));
                case "bodyLength" -> "${bodyLength}";
                default -> throw new IllegalStateException(name + ": unknown placeholder " + placeholder.group());
            };
            placeholder.appendReplacement(filled, Matcher.quoteReplacement(value));
        }
        placeholder.appendTail(filled);
        Matcher escape = ESCAPE.matcher(filled);
        StringBuilder bytes = new StringBuilder();
        while (escape.find()) {
            String value = escape.group(1) == null ? "\r" : String.valueOf((char) Integer.parseInt(escape.group(1), 16));
            escape.appendReplacement(bytes, Matcher.quoteReplacement(value));
        }
        escape.appendTail(bytes);
        String message = bytes.toString();
        int bodyStart = message.indexOf("\r\n\r\n");
        if (message.contains("${bodyLength}") && bodyStart >= 0) {
            int length = message.length() - bodyStart - 4;
            message = message.replace("${bodyLength}", Integer.toString(length));
        }
        return message.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = HostileCase.class.getResourceAsStream("/hostile/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no corpus file hostile/" + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
