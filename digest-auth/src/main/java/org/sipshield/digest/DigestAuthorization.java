package org.sipshield.digest;

import static org.sipshield.digest.DigestParseException.Reason.INVALID_PARAMETER_VALUE;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * The digest credentials a client sends: the value of an {@code Authorization} or
 * {@code Proxy-Authorization} header (RFC 7616 section 3.4, RFC 3261 section 22.4).
 *
 * <p>{@link #toString()} leaves the response out: it is a password-equivalent for an offline
 * dictionary attack and must not reach a log.
 */
public final class DigestAuthorization {

    private final String username;
    private final boolean userhash;
    private final String realm;
    private final String nonce;
    private final String uri;
    private final String response;
    private final String algorithmToken;
    private final String cnonce;
    private final String opaque;
    private final String qop;
    private final String nc;

    DigestAuthorization(String username, boolean userhash, String realm, String nonce, String uri,
                        String response, String algorithmToken, String cnonce, String opaque,
                        String qop, String nc) {
        this.username = DigestParams.requireHeaderSafe("username", username);
        this.userhash = userhash;
        this.realm = DigestParams.requireHeaderSafe("realm", realm);
        this.nonce = DigestParams.requireHeaderSafe("nonce", nonce);
        this.uri = DigestParams.requireHeaderSafe("uri", uri);
        this.response = DigestParams.requireHeaderSafe("response", response);
        this.algorithmToken = algorithmToken;
        this.cnonce = cnonce == null ? null : DigestParams.requireHeaderSafe("cnonce", cnonce);
        this.opaque = opaque == null ? null : DigestParams.requireHeaderSafe("opaque", opaque);
        this.qop = qop;
        this.nc = nc;
    }

    /** Parses a credentials header value, e.g. {@code Digest username="bob", realm=...}. */
    public static DigestAuthorization parse(String headerValue) throws DigestParseException {
        DigestParams p = DigestParams.parse(headerValue);
        Optional<String> plain = p.get("username");
        Optional<String> extended = p.get("username*");
        if (plain.isPresent() && extended.isPresent()) {
            throw invalid("both username and username* given (RFC 7616 section 3.4.4)");
        }
        boolean userhash = p.get("userhash").map(v -> v.equalsIgnoreCase("true")).orElse(false);
        String username;
        if (extended.isPresent()) {
            if (userhash) {
                throw invalid("username* cannot carry a userhash");
            }
            username = decodeExtValue(extended.get());
            if (username.isEmpty() || username.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw invalid("username* decodes to an empty name or one with control characters");
            }
        } else {
            username = plain.orElseThrow(() -> DigestChallenge.missing("username"));
        }
        String realm = p.get("realm").orElseThrow(() -> DigestChallenge.missing("realm"));
        String nonce = p.get("nonce").orElseThrow(() -> DigestChallenge.missing("nonce"));
        String uri = p.get("uri").orElseThrow(() -> DigestChallenge.missing("uri"));
        String response = p.get("response").orElseThrow(() -> DigestChallenge.missing("response"));
        if (!isHex(response)) {
            throw invalid("response is not hexadecimal");
        }
        String algorithm = p.get("algorithm").orElse(null);
        if (algorithm != null && !DigestParams.isToken(algorithm)) {
            throw invalid("algorithm is not a token");
        }
        String qop = p.get("qop").map(q -> q.toLowerCase(Locale.ROOT)).orElse(null);
        String nc = p.get("nc").orElse(null);
        String cnonce = p.get("cnonce").orElse(null);
        if (qop != null) {
            if (!DigestParams.isToken(qop)) {
                throw invalid("qop is not a single token");
            }
            if (cnonce == null || cnonce.isEmpty()) {
                throw DigestChallenge.missing("cnonce");
            }
            if (nc == null) {
                throw DigestChallenge.missing("nc");
            }
            if (nc.length() != 8 || !isHex(nc)) {
                throw invalid("nc is not 8 hexadecimal digits");
            }
        } else if (nc != null || cnonce != null) {
            throw invalid("nc/cnonce without qop");
        }
        try {
            return new DigestAuthorization(username, userhash, realm, nonce, uri, response.toLowerCase(Locale.ROOT),
                    algorithm, cnonce, p.get("opaque").orElse(null), qop, nc == null ? null : nc.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException unsafe) {
            // the constructor's own checks (control characters, length): still a parse failure, typed as one
            throw invalid(unsafe.getMessage());
        }
    }

    private static DigestParseException invalid(String detail) {
        return new DigestParseException(INVALID_PARAMETER_VALUE, -1, detail);
    }

    static boolean isHex(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** RFC 8187 ext-value, UTF-8 only: {@code UTF-8'lang'percent-encoded}. */
    private static String decodeExtValue(String v) throws DigestParseException {
        int first = v.indexOf('\'');
        int second = first < 0 ? -1 : v.indexOf('\'', first + 1);
        if (second < 0 || !v.substring(0, first).equalsIgnoreCase("UTF-8")) {
            throw invalid("username* is not a UTF-8 ext-value");
        }
        String encoded = v.substring(second + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char ch = encoded.charAt(i);
            if (ch == '%') {
                if (i + 2 >= encoded.length()) {
                    throw invalid("truncated percent-encoding in username*");
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw invalid("bad percent-encoding in username*");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.write(ch);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw invalid("username* is not valid UTF-8");
        }
    }

    /** The user name, or with {@link #userhash()} the H(username:realm) hex that stands for it. */
    public String username() {
        return username;
    }

    public boolean userhash() {
        return userhash;
    }

    public String realm() {
        return realm;
    }

    public String nonce() {
        return nonce;
    }

    /** The digest-uri: in SIP, the Request-URI the client signed (RFC 3261 section 22.4). */
    public String uri() {
        return uri;
    }

    /** The response digest, lower-case hex. Never log it. */
    public String response() {
        return response;
    }

    /** The algorithm, MD5 when absent; empty when the client named one we do not implement. */
    public Optional<DigestAlgorithm> algorithm() {
        return algorithmToken == null ? Optional.of(DigestAlgorithm.MD5) : DigestAlgorithm.fromToken(algorithmToken);
    }

    /** The qop the client chose ({@code auth} or {@code auth-int}); empty for RFC 2069 clients. */
    public Optional<String> qop() {
        return Optional.ofNullable(qop);
    }

    /** The nonce count as the 8 hex digits sent; present exactly when qop is. */
    public Optional<String> nc() {
        return Optional.ofNullable(nc);
    }

    public Optional<String> cnonce() {
        return Optional.ofNullable(cnonce);
    }

    public Optional<String> opaque() {
        return Optional.ofNullable(opaque);
    }

    /** The header value, parameters in the order of RFC 7616's examples. */
    public String toHeaderValue() {
        StringBuilder sb = new StringBuilder("Digest ");
        DigestParams.appendQuoted(sb, "username", username);
        sb.append(", ");
        DigestParams.appendQuoted(sb, "realm", realm);
        sb.append(", ");
        DigestParams.appendQuoted(sb, "uri", uri);
        if (algorithmToken != null) {
            sb.append(", algorithm=").append(algorithmToken);
        }
        sb.append(", ");
        DigestParams.appendQuoted(sb, "nonce", nonce);
        if (qop != null) {
            sb.append(", nc=").append(nc).append(", ");
            DigestParams.appendQuoted(sb, "cnonce", cnonce);
            sb.append(", qop=").append(qop);
        }
        sb.append(", ");
        DigestParams.appendQuoted(sb, "response", response);
        if (opaque != null) {
            sb.append(", ");
            DigestParams.appendQuoted(sb, "opaque", opaque);
        }
        if (userhash) {
            sb.append(", userhash=true");
        }
        return sb.toString();
    }

    /** Everything but the response, which is redacted. */
    @Override
    public String toString() {
        return "DigestAuthorization[username=" + username + (userhash ? " (userhash)" : "") + ", realm=" + realm
                + ", uri=" + uri + ", algorithm=" + (algorithmToken == null ? "MD5" : algorithmToken)
                + ", qop=" + qop + ", nc=" + nc + ", response=<redacted>]";
    }
}
