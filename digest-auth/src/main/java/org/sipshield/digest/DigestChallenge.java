package org.sipshield.digest;

import static org.sipshield.digest.DigestParseException.Reason.INVALID_PARAMETER_VALUE;
import static org.sipshield.digest.DigestParseException.Reason.MISSING_PARAMETER;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One {@code Digest} challenge: the value of a {@code WWW-Authenticate} (401) or
 * {@code Proxy-Authenticate} (407) header. The server side builds them through
 * {@link DigestAuthenticator}; the client side parses a peer's with {@link #parse(String)}.
 */
public final class DigestChallenge {

    private final String realm;
    private final String nonce;
    private final String opaque;
    private final String algorithmToken;
    private final List<String> qopOptions;
    private final boolean stale;
    private final boolean userhash;

    DigestChallenge(String realm, String nonce, String opaque, String algorithmToken,
                    List<String> qopOptions, boolean stale, boolean userhash) {
        this.realm = DigestParams.requireHeaderSafe("realm", realm);
        this.nonce = DigestParams.requireHeaderSafe("nonce", nonce);
        this.opaque = opaque == null ? null : DigestParams.requireHeaderSafe("opaque", opaque);
        this.algorithmToken = algorithmToken;
        this.qopOptions = List.copyOf(qopOptions);
        this.stale = stale;
        this.userhash = userhash;
    }

    /** Parses a challenge header value, e.g. {@code Digest realm="x", nonce="y", qop="auth"}. */
    public static DigestChallenge parse(String headerValue) throws DigestParseException {
        DigestParams p = DigestParams.parse(headerValue);
        String realm = p.get("realm").orElseThrow(() -> missing("realm"));
        String nonce = p.get("nonce").orElseThrow(() -> missing("nonce"));
        List<String> qops = new ArrayList<>();
        Optional<String> qop = p.get("qop");
        if (qop.isPresent()) {
            for (String q : qop.get().split(",", -1)) {
                String t = q.strip().toLowerCase(Locale.ROOT);
                if (!DigestParams.isToken(t)) {
                    throw new DigestParseException(INVALID_PARAMETER_VALUE, -1, "qop is not a list of tokens");
                }
                qops.add(t);
            }
        }
        String algorithm = p.get("algorithm").orElse(null);
        if (algorithm != null && !DigestParams.isToken(algorithm)) {
            throw new DigestParseException(INVALID_PARAMETER_VALUE, -1, "algorithm is not a token");
        }
        try {
            return new DigestChallenge(realm, nonce, p.get("opaque").orElse(null), algorithm, qops,
                    flag(p, "stale"), flag(p, "userhash"));
        } catch (IllegalArgumentException unsafe) {
            // found by DigestHeaderFuzzTest: a control character in opaque escaped as IllegalArgumentException
            throw new DigestParseException(INVALID_PARAMETER_VALUE, -1, unsafe.getMessage());
        }
    }

    private static boolean flag(DigestParams p, String name) {
        return p.get(name).map(v -> v.equalsIgnoreCase("true")).orElse(false);
    }

    static DigestParseException missing(String name) {
        return new DigestParseException(MISSING_PARAMETER, -1, "parameter '" + name + "' is required");
    }

    public String realm() {
        return realm;
    }

    public String nonce() {
        return nonce;
    }

    public Optional<String> opaque() {
        return Optional.ofNullable(opaque);
    }

    /**
     * The algorithm, MD5 when the parameter is absent (RFC 7616 section 3.3); empty when the peer
     * named one we do not implement, so the client can skip that challenge and try another.
     */
    public Optional<DigestAlgorithm> algorithm() {
        return algorithmToken == null ? Optional.of(DigestAlgorithm.MD5) : DigestAlgorithm.fromToken(algorithmToken);
    }

    /** True when the challenge carried an explicit {@code algorithm} parameter. */
    public boolean algorithmExplicit() {
        return algorithmToken != null;
    }

    /** The qop options offered, lower-case; empty for an RFC 2069 challenge. */
    public List<String> qopOptions() {
        return qopOptions;
    }

    public boolean stale() {
        return stale;
    }

    public boolean userhash() {
        return userhash;
    }

    /** The header value, without the header name. */
    public String toHeaderValue() {
        StringBuilder sb = new StringBuilder("Digest ");
        DigestParams.appendQuoted(sb, "realm", realm);
        sb.append(", ");
        DigestParams.appendQuoted(sb, "nonce", nonce);
        if (opaque != null) {
            sb.append(", ");
            DigestParams.appendQuoted(sb, "opaque", opaque);
        }
        if (algorithmToken != null) {
            sb.append(", algorithm=").append(algorithmToken);
        }
        if (!qopOptions.isEmpty()) {
            sb.append(", ");
            DigestParams.appendQuoted(sb, "qop", String.join(",", qopOptions));
        }
        if (stale) {
            sb.append(", stale=true");
        }
        if (userhash) {
            sb.append(", userhash=true");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return toHeaderValue();
    }
}
