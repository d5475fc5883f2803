package org.sipshield.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The response computation of RFC 7616 section 3.4.1-3.4.3, shared by the verifier and the
 * client so both sides agree by construction and are checked by the same vectors.
 */
final class DigestResponses {

    private DigestResponses() {
    }

    /**
     * @param qop   {@code auth}, {@code auth-int}, or null for RFC 2069 (no nc/cnonce)
     * @param body  the message body, only used for auth-int
     */
    static String response(DigestAlgorithm algorithm, String ha1Hex, String nonce, String nc, String cnonce,
                           String qop, String method, String uri, byte[] body) {
        String ha1 = algorithm.isSession() ? algorithm.hashHex(ha1Hex + ":" + nonce + ":" + cnonce) : ha1Hex;
        String a2 = "auth-int".equals(qop)
                ? method + ":" + uri + ":" + algorithm.hashHex(body == null ? new byte[0] : body)
                : method + ":" + uri;
        String ha2 = algorithm.hashHex(a2);
        String data = qop == null
                ? ha1 + ":" + nonce + ":" + ha2
                : ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2;
        return algorithm.hashHex(data);
    }

    /** userhash = H(username:realm), RFC 7616 section 3.4.4. */
    static String userhash(DigestAlgorithm algorithm, String username, String realm) {
        return algorithm.baseAlgorithm().hashHex(username + ":" + realm);
    }

    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
