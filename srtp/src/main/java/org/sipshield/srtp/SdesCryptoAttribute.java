package org.sipshield.srtp;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * An SDP {@code a=crypto} attribute (RFC 4568 section 9.1):
 * {@code a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]}.
 *
 * <p>{@link #parse} never throws for bad input: it answers with an {@link SdesParseResult} that
 * names the reason. Inline keys are accepted with or without base64 padding (the 44-octet
 * AES-256-GCM key||salt is a known interop trap) and must have exactly the suite's length;
 * {@link #toSdpLine()} always writes the canonical padded form. Session parameters that would
 * weaken security are refused, never silently honoured. {@link #toString()} redacts keys.
 */
public final class SdesCryptoAttribute {
    private static final Pattern TAG = Pattern.compile("[0-9]{1,9}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]{1,64}");

    private final int tag;
    private final CryptoSuite suite;
    private final List<SdesKeyParam> keyParams;
    private final OptionalInt windowSizeHint;

    private SdesCryptoAttribute(int tag, CryptoSuite suite, List<SdesKeyParam> keyParams, OptionalInt windowSizeHint) {
        this.tag = tag;
        this.suite = suite;
        this.keyParams = keyParams;
        this.windowSizeHint = windowSizeHint;
    }

    /**
     * A line to send: one key parameter, no session parameters.
     *
     * @throws IllegalArgumentException if the tag is outside 0..999999999
     */
    public static SdesCryptoAttribute of(int tag, SdesKeyParam keyParam) {
        if (tag < 0 || tag > 999_999_999) {
            throw new IllegalArgumentException("a=crypto tag must be 0..999999999 (1 to 9 digits)");
        }
        return new SdesCryptoAttribute(tag, keyParam.key().suite(), List.of(keyParam), OptionalInt.empty());
    }

    public int tag() {
        return tag;
    }

    public CryptoSuite suite() {
        return suite;
    }

    public List<SdesKeyParam> keyParams() {
        return keyParams;
    }

    /** The first (usually only) key parameter. */
    public SdesKeyParam keyParam() {
        return keyParams.get(0);
    }

    /** The peer's WSH (window size hint) session parameter, if given. */
    public OptionalInt windowSizeHint() {
        return windowSizeHint;
    }

    /** The SDP line, {@code a=crypto:...}, in canonical form. It carries the key: send it only over protected signaling. */
    public String toSdpLine() {
        StringBuilder b = new StringBuilder("a=crypto:").append(tag).append(' ').append(suite.sdesName()).append(' ');
        for (int i = 0; i < keyParams.size(); i++) {
            b.append(i == 0 ? "" : ";").append(keyParams.get(i).toSdp());
        }
        windowSizeHint.ifPresent(w -> b.append(" WSH=").append(w));
        return b.toString();
    }

    @Override
    public String toString() {
        return "a=crypto:" + tag + " " + suite.sdesName() + " " + keyParams;
    }

    /** Parses {@code a=crypto:...} (or the attribute value {@code crypto:...}); never throws. */
    public static SdesParseResult parse(String line) {
        if (line == null) {
            return SdesParseResult.rejected(SdesRejection.MALFORMED, "no line", null);
        }
        String s = line.strip();
        if (s.startsWith("a=")) {
            s = s.substring(2);
        }
        if (!s.startsWith("crypto:")) {
            return SdesParseResult.rejected(SdesRejection.MALFORMED, "not an a=crypto attribute", null);
        }
        String[] f = s.substring("crypto:".length()).split("[ \\t]+");
        if (f.length < 3) {
            return SdesParseResult.rejected(SdesRejection.MALFORMED, "needs a tag, a crypto-suite and key parameters", null);
        }
        if (!TAG.matcher(f[0]).matches()) {
            return SdesParseResult.rejected(SdesRejection.MALFORMED, "tag must be 1 to 9 digits", null);
        }
        int tag = Integer.parseInt(f[0]);
        CryptoSuite suite = CryptoSuite.fromSdesName(f[1]).orElse(null);
        if (suite == null) {
            String shown = PRINTABLE.matcher(f[1]).matches() ? f[1] : "(unprintable)";
            return SdesParseResult.rejected(SdesRejection.UNSUPPORTED_CRYPTO_SUITE, "crypto-suite " + shown + " is not supported", tag);
        }
        Rejection problem = new Rejection();
        List<SdesKeyParam> keys = new ArrayList<>();
        for (String param : f[2].split(";", -1)) {
            SdesKeyParam k = keyParam(suite, param, problem);
            if (k == null) {
                keys.forEach(p -> p.key().destroy());
                return SdesParseResult.rejected(problem.reason, problem.detail, tag);
            }
            keys.add(k);
        }
        if (keys.size() > 1 && !sameMkiLengths(keys)) {
            keys.forEach(p -> p.key().destroy());
            return SdesParseResult.rejected(SdesRejection.MALFORMED,
                    "several key parameters need an MKI of the same length in each", tag);
        }
        OptionalInt wsh = OptionalInt.empty();
        for (int i = 3; i < f.length; i++) {
            String p = f[i];
            SdesRejection reason = null;
            String detail = null;
            if (p.equals("UNENCRYPTED_SRTP") || p.equals("UNENCRYPTED_SRTCP") || p.equals("UNAUTHENTICATED_SRTP")) {
                reason = SdesRejection.WEAKENING_SESSION_PARAM;
                detail = p + " would weaken security: declined";
            } else if (p.startsWith("KDR=")) {
                reason = SdesRejection.UNSUPPORTED_SESSION_PARAM;
                detail = "KDR (key derivation rate) is not supported: keys are derived once per session";
            } else if (p.startsWith("FEC_KEY=")) {
                reason = SdesRejection.UNSUPPORTED_SESSION_PARAM;
                detail = "FEC_KEY is not supported";
            } else if (p.startsWith("FEC_ORDER=")) {
                if (!p.equals("FEC_ORDER=FEC_SRTP") && !p.equals("FEC_ORDER=SRTP_FEC")) {
                    reason = SdesRejection.MALFORMED;
                    detail = "FEC_ORDER must be FEC_SRTP or SRTP_FEC";
                }  // otherwise harmless: sipshield sends no FEC
            } else if (p.startsWith("WSH=")) {
                String v = p.substring(4);
                if (!DIGITS.matcher(v).matches() || v.length() > 9 || Integer.parseInt(v) < 64) {
                    reason = SdesRejection.MALFORMED;
                    detail = "WSH must be a window size of at least 64";
                } else {
                    wsh = OptionalInt.of(Integer.parseInt(v));
                }
            } else if (!p.startsWith("-")) {  // '-' marks a parameter a receiver may ignore
                String shown = PRINTABLE.matcher(p).matches() ? p.split("=", 2)[0] : "(unprintable)";
                reason = SdesRejection.UNKNOWN_SESSION_PARAM;
                detail = "unknown session parameter " + shown;
            }
            if (reason != null) {
                keys.forEach(k -> k.key().destroy());
                return SdesParseResult.rejected(reason, detail, tag);
            }
        }
        return SdesParseResult.accepted(new SdesCryptoAttribute(tag, suite, Collections.unmodifiableList(keys), wsh));
    }

    private static final class Rejection {
        SdesRejection reason;
        String detail;

        SdesKeyParam fail(SdesRejection r, String d) {
            reason = r;
            detail = d;
            return null;
        }
    }

    private static SdesKeyParam keyParam(CryptoSuite suite, String param, Rejection problem) {
        int colon = param.indexOf(':');
        if (colon < 0) {
            return problem.fail(SdesRejection.MALFORMED, "key parameter needs a method, as in inline:<key||salt>");
        }
        if (!param.substring(0, colon).equals("inline")) {
            String shown = PRINTABLE.matcher(param.substring(0, colon)).matches() ? param.substring(0, colon) : "(unprintable)";
            return problem.fail(SdesRejection.UNSUPPORTED_KEY_METHOD, "key method " + shown + " is not supported (only inline)");
        }
        String[] parts = param.substring(colon + 1).split("\\|", -1);
        if (parts.length > 3) {
            return problem.fail(SdesRejection.MALFORMED, "inline key parameter has more than key, lifetime and MKI");
        }
        String b64 = parts[0];
        if (!BASE64.matcher(b64).matches()) {
            return problem.fail(SdesRejection.BAD_KEY_ENCODING, "inline key||salt is not base64");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return problem.fail(SdesRejection.BAD_KEY_ENCODING, "inline key||salt is not valid base64");
        }
        int want = suite.masterKeyLength() + suite.masterSaltLength();
        if (decoded.length != want) {
            Arrays.fill(decoded, (byte) 0);
            return problem.fail(SdesRejection.BAD_KEY_LENGTH, "inline key||salt is " + decoded.length + " octets, "
                    + suite.sdesName() + " needs " + want);
        }
        SrtpMasterKey key = SrtpMasterKey.fromConcatenated(suite, decoded);
        Arrays.fill(decoded, (byte) 0);
        SdesKeyParam result = SdesKeyParam.of(key);
        boolean sawMki = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.contains(":")) {
                Mki mki = sawMki ? null : mki(p);
                if (mki == null) {
                    key.destroy();
                    return problem.fail(SdesRejection.BAD_MKI, "MKI must be value:length with length 1..128 octets holding the value");
                }
                result = result.withMki(mki);
                sawMki = true;
            } else {
                if (sawMki || i == 2) {
                    key.destroy();
                    return problem.fail(SdesRejection.MALFORMED, "the lifetime comes before the MKI, once");
                }
                long lifetime = lifetime(p);
                if (lifetime < 0) {
                    key.destroy();
                    return problem.fail(SdesRejection.BAD_LIFETIME, "lifetime must be 2^n or a decimal, at most 2^48 packets");
                }
                result = result.withLifetime(lifetime);
            }
        }
        return result;
    }

    private static long lifetime(String p) {
        if (p.startsWith("2^")) {
            String n = p.substring(2);
            if (!DIGITS.matcher(n).matches() || n.length() > 2) {
                return -1;
            }
            int e = Integer.parseInt(n);
            return e <= 48 ? 1L << e : -1;
        }
        if (!DIGITS.matcher(p).matches() || p.length() > 15) {
            return -1;
        }
        long v = Long.parseLong(p);
        return v >= 1 && v <= SdesKeyParam.MAX_LIFETIME ? v : -1;
    }

    private static Mki mki(String p) {
        String[] vl = p.split(":", -1);
        if (vl.length != 2 || !vl[0].matches("[0-9]{1,310}") || !vl[1].matches("[0-9]{1,3}")) {
            return null;
        }
        try {
            return Mki.of(new BigInteger(vl[0]), Integer.parseInt(vl[1]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean sameMkiLengths(List<SdesKeyParam> keys) {
        Integer len = null;
        for (SdesKeyParam k : keys) {
            if (k.mki().isEmpty()) {
                return false;
            }
            int l = k.mki().get().length();
            if (len != null && len != l) {
                return false;
            }
            len = l;
        }
        return true;
    }
}
