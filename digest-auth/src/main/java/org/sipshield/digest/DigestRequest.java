package org.sipshield.digest;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * What the verifier needs to know about the request being authenticated, without knowing SIP:
 * the method and Request-URI (A2; the credentials' uri must designate the Request-URI, RFC 7616
 * 3.4.6), where it came from (nonce binding, security events), its Call-ID (nonce binding) and
 * its body (qop=auth-int).
 */
public final class DigestRequest {

    private final String method;
    private final String requestUri;
    private final BiPredicate<String, String> sameResource;
    private final InetSocketAddress source;
    private final String callId;
    private final byte[] body;

    private DigestRequest(String method, String requestUri, BiPredicate<String, String> sameResource,
                          InetSocketAddress source, String callId, byte[] body) {
        if (method == null || !DigestParams.isToken(method)) {
            throw new IllegalArgumentException("method must be a SIP method token");
        }
        if (requestUri == null || requestUri.isEmpty()) {
            throw new IllegalArgumentException("the Request-URI is needed: the credentials' uri must designate it");
        }
        this.method = method;
        this.requestUri = requestUri;
        this.sameResource = Objects.requireNonNull(sameResource, "sameResource");
        this.source = Objects.requireNonNull(source, "source");
        if (source.getAddress() == null) {
            throw new IllegalArgumentException("source must be a resolved address");
        }
        this.callId = callId;
        this.body = body == null ? new byte[0] : body.clone();
    }

    /**
     * A request whose credentials' uri must be this Request-URI, character for character; a
     * caller that knows the URI scheme's equivalence rules gives them with {@link #withUriEquivalence}.
     */
    public static DigestRequest of(String method, String requestUri, InetSocketAddress source, String callId) {
        return new DigestRequest(method, requestUri, String::equals, source, callId, null);
    }

    /** The same request with its message body, which qop=auth-int covers; none means an empty body. */
    public DigestRequest withBody(byte[] body) {
        return new DigestRequest(method, requestUri, sameResource, source, callId, body);
    }

    /**
     * The same request, its uri check done by this test of (credentials' uri, Request-URI), e.g.
     * SIP URI equivalence (RFC 3261 19.1.4), so that a client writing the same URI differently
     * is not refused. It must never hold two different resources the same.
     */
    public DigestRequest withUriEquivalence(BiPredicate<String, String> sameResource) {
        return new DigestRequest(method, requestUri, sameResource, source, callId, body);
    }

    public String method() {
        return method;
    }

    public String requestUri() {
        return requestUri;
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

    /** Whether the credentials' uri designates this request's Request-URI; a test that throws says no. */
    boolean designatesRequestUri(String digestUri) {
        try {
            return sameResource.test(digestUri, requestUri);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "DigestRequest[" + method + " from " + source + "]";
    }
}
