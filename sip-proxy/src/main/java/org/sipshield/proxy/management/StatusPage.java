package org.sipshield.proxy.management;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The status page's three files (HTML, script, style), read from the jar once. They are the only
 * resources besides /health/live served without credentials: they hold no data (the script reads
 * the admin API with the operator's token or client certificate), and a browser cannot send a
 * bearer token when it opens a page. The headers forbid everything the page does not use: no
 * inline script, no other origin, no framing, so a value that slipped into markup still could not run.
 */
final class StatusPage {
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record File(byte[] bytes, String contentType) {}

    private static final Map<String, File> FILES = Map.of(
            "/status", file("status.html", "text/html; charset=utf-8"),
            "/status.js", file("status.js", "text/javascript; charset=utf-8"),
            "/status.css", file("status.css", "text/css; charset=utf-8"));

    private StatusPage() {}

    static boolean serves(String path) {
        return FILES.containsKey(path);
    }

    static FullHttpResponse response(String path) {
        File file = FILES.get(path);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(file.bytes()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
                .set("Referrer-Policy", "no-referrer")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    private static File file(String name, String contentType) {
        try (InputStream in = StatusPage.class.getResourceAsStream("status/" + name)) {
            if (in == null) {
                throw new IllegalStateException("status page resource missing from the jar: " + name);
            }
            return new File(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
