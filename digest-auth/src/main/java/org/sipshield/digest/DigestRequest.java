package org.sipshield.digest;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What the verifier needs to know about the request being authenticated, without knowing SIP:
 * the method (A2), where it came from (nonce binding, security events), its Call-ID (nonce
 * binding) and its body (qop=auth-int only).
 */
public final class DigestRequest {

    private final String method;
    private final InetSocketAddress source;
    private final String callId;
    private final byte[] body;

    private DigestRequest(String method, InetSocketAddress source, String callId, byte[] body) {
        if (method == null || !DigestParams.isToken(method)) {
            throw new IllegalArgumentException("method must be a SIP method token");
        }
        this.method = method;
        this.source = Objects.requireNonNull(source, "source");
        if (source.getAddress() == null) {
            throw new IllegalArgumentException("source must be a resolved address");
        }
        this.callId = callId;
        this.body = body == null ? new byte[0] : body.clone();
    }

    public static DigestRequest of(String method, InetSocketAddress source, String callId) {
        return new DigestRequest(method, source, callId, null);
    }

    /** The same request with its message body, needed only when a client uses qop=auth-int. */
    public DigestRequest withBody(byte[] body) {
        return new DigestRequest(method, source, callId, body);
    }

    public String method() {
        return method;
    }

    public InetSocketAddress source() {
        return source;
    }

    public String callId() {
        return callId;
    }

    byte[] body() {
        return body;
    }

    @Override
    public String toString() {
        return "DigestRequest[" + method + " from " + source + "]";
    }
}
