package org.sipshield.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code openssl s_client} against 127.0.0.1 and reads what it negotiated. */
final class OpenSslClient {
    record Handshake(boolean connected, String protocol, String cipher, String serverTempKey, String peerSubject, String output) {}

    private OpenSslClient() {}

    static Handshake connect(int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-no_ign_eof"));
        command.addAll(List.of(options));
        ExternalProcess.Result result = ExternalProcess.run(command, "", 30);
        String out = result.output();
        // "New, <the suite's version>, Cipher is <suite>" is printed always ("(NONE)" on failure); the
        // session block with "Protocol :" only up to TLS 1.2, where the session arrives with the handshake.
        String protocol = find(out, "Protocol\\s*:\\s*(\\S+)");
        if (protocol == null) {
            protocol = find(out, "New, (TLSv1\\.3), Cipher is");
        }
        String cipher = find(out, "New, \\S+, Cipher is (\\S+)");
        boolean connected = cipher != null && !cipher.equals("0000") && !cipher.equals("(NONE)");
        return new Handshake(connected, protocol, cipher, find(out, "Server Temp Key: ([^\\n]+)"),
                find(out, "subject=([^\\n]+)"), out);
    }

    private static String find(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? matcher.group(1).trim() : null;
    }
}
