package org.sipshield.digest;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A security event in one fixed, machine-parsable line for fail2ban and SIEMs, e.g.
 * <pre>SECURITY digest-auth-failure src=192.0.2.7 port=5060 user="bob" realm="ccmsipline" reason=bad-credentials</pre>
 *
 * <p>Never carries a password, HA1 or response. User and realm are attacker-controlled, so they
 * are quoted with {@code "} and {@code \} escaped and every control or non-ASCII character written
 * as a backslash-x or backslash-u hex escape: a user name cannot end the line or fake another field.
 */
public final class SecurityEvent {

    /** The event kinds; the token is the second word of the line. */
    public enum Type {
        /** Wrong credentials (unknown user or wrong password): what fail2ban should count. */
        DIGEST_AUTH_FAILURE("digest-auth-failure"),
        /** Credentials refused for another reason: replay, forged nonce, malformed, policy. */
        DIGEST_AUTH_REJECTED("digest-auth-rejected"),
        /** The brute-force guard started blocking a source (or a user from a source). */
        DIGEST_AUTH_BLOCKED("digest-auth-blocked");

        private final String token;

        Type(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }
    }

    /**
     * A fail2ban {@code failregex} for failed credentials. fail2ban strips the log's date itself
     * and substitutes {@code <HOST>}; this matches the line whatever logback prefix precedes it.
     */
    public static final String FAIL2BAN_FAILREGEX =
            "SECURITY digest-auth-failure src=<HOST> port=\\d+ user=\"(?:[^\"\\\\]|\\\\.)*\" "
                    + "realm=\"(?:[^\"\\\\]|\\\\.)*\" reason=[a-z-]+$";

    /** Longest user/realm (in characters before escaping) written; the rest is cut with "...". */
    static final int MAX_FIELD_CHARS = 128;

    private final Type type;
    private final InetSocketAddress source;
    private final String user;
    private final String realm;
    private final String reason;

    public SecurityEvent(Type type, InetSocketAddress source, String user, String realm, String reason) {
        this.type = Objects.requireNonNull(type, "type");
        this.source = Objects.requireNonNull(source, "source");
        this.user = user == null ? "" : user;
        this.realm = realm == null ? "" : realm;
        if (reason == null || !reason.matches("[a-z][a-z-]{0,63}")) {
            throw new IllegalArgumentException("reason must be lower-case letters and dashes");
        }
        this.reason = reason;
    }

    public Type type() {
        return type;
    }

    public InetSocketAddress source() {
        return source;
    }

    public String user() {
        return user;
    }

    public String realm() {
        return realm;
    }

    public String reason() {
        return reason;
    }

    /** The log line, without a trailing newline; log it as the whole message. */
    public String toLogLine() {
        StringBuilder sb = new StringBuilder(96);
        sb.append("SECURITY ").append(type.token())
                .append(" src=").append(address(source))
                .append(" port=").append(source.getPort())
                .append(" user=\"");
        appendSanitised(sb, user);
        sb.append("\" realm=\"");
        appendSanitised(sb, realm);
        sb.append("\" reason=").append(reason);
        return sb.toString();
    }

    @Override
    public String toString() {
        return toLogLine();
    }

    private static String address(InetSocketAddress source) {
        String host = source.getAddress() != null ? source.getAddress().getHostAddress() : "unresolved";
        int scope = host.indexOf('%');
        return scope >= 0 ? host.substring(0, scope) : host;
    }

    static void appendSanitised(StringBuilder sb, String value) {
        boolean cut = value.length() > MAX_FIELD_CHARS;
        String v = cut ? value.substring(0, MAX_FIELD_CHARS) : value;
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20 || ch == 0x7f) {
                sb.append(String.format("\\x%02x", (int) ch));
            } else if (ch > 0x7e) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        if (cut) {
            sb.append("...");
        }
    }
}
