package org.sipshield.config;

import java.util.List;

/**
 * How a profile's digest challenges are made, beyond the reference (which knows MD5 only).
 *
 * @param digestAlgorithms       offered in this order, one challenge each (MD5, SHA-256, SHA-512-256)
 * @param bindNonceToSource      a nonce is only good from the address it was sent to
 * @param bindNonceToCallId      a nonce is only good in the Call-ID it was sent in
 * @param acceptDigestWithoutQop accept RFC 2069 clients (no qop, no nonce count: replays are only caught per nonce)
 */
public record DigestOptions(List<String> digestAlgorithms, boolean bindNonceToSource, boolean bindNonceToCallId,
        boolean acceptDigestWithoutQop) {
    public static final List<String> ALGORITHMS = List.of("MD5", "SHA-256", "SHA-512-256");

    public DigestOptions {
        digestAlgorithms = List.copyOf(digestAlgorithms);
    }
}
