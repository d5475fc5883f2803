package org.sipshield.proxy.management;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is asking: a client certificate (the handshake already proved it chains to the https trust
 * store) or the bearer token. The answer names the certificate's subject or "token", for the
 * security log; a failure says why in a fixed word, never what was presented.
 */
final class AdminAuthenticator {
    /** Either who (authenticated) or failure (a reason token for the log). */
    record Result(String who, String failure) {
        boolean authenticated() {
            return who != null;
        }
    }

    private final AdminToken token;

    AdminAuthenticator(AdminToken token) {
        this.token = token;
    }

    Result authenticate(HttpRequest request, SSLSession session) {
        X509Certificate certificate = clientCertificate(session);
        if (certificate != null) {
            return new Result("certificate \"" + escape(certificate.getSubjectX500Principal().getName()) + "\"", null);
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null) {
            return new Result(null, "no-credentials");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Result(null, "not-bearer");
        }
        return token.matches(authorization.substring(7).trim()) ? new Result("token", null) : new Result(null, "bad-token");
    }

    private static X509Certificate clientCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** A subject in a log line: quotes and backslashes escaped, control characters dropped (no forged lines). */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c != 0x7f) {
                out.append(c);
            }
        }
        return out.length() > 256 ? out.substring(0, 256) : out.toString();
    }
}
