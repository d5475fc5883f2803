package org.sipshield.proxy.management;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of the management API. Only {@code /health/live} (a liveness probe must work before
 * anyone is configured) and the status page's files (no data in them: {@link StatusPage}) answer
 * without credentials; everything else, unknown paths included,
 * is 401 until the caller is authenticated, so a stranger cannot even map the API. Refusals and
 * every admin action are logged on sipshield.security with who (or from where) and why.
 */
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");
    private static final Logger LOG = LoggerFactory.getLogger(ManagementHandler.class);
    /** Paths named in log lines; anything else is logged as "other" (a path is the caller's text). */
    private static final Set<String> KNOWN = Set.of("/health/live", "/health/ready", "/metrics", "/drain");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");

    private final AdminAuthenticator authenticator;
    private final ManagementApi api;

    ManagementHandler(AdminAuthenticator authenticator, ManagementApi api) {
        this.authenticator = authenticator;
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "bad request\n");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        String source = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        if (path.equals("/health/live") && request.method().equals(HttpMethod.GET)) {
            respond(ctx, request, HttpResponseStatus.OK, "live\n");
            return;
        }
        if (StatusPage.serves(path) && request.method().equals(HttpMethod.GET)) {
            send(ctx, request, StatusPage.response(path));
            return;
        }
        AdminAuthenticator.Result caller = authenticator.authenticate(request,
                ctx.pipeline().get(SslHandler.class).engine().getSession());
        String logged = KNOWN.contains(path) ? path : path.startsWith("/api/") && AdminRoutes.resource(path) != null
                ? AdminRoutes.resource(path) : "other";
        if (!caller.authenticated()) {
            SECURITY.warn("SECURITY admin-auth-failure src={} method={} path={} reason={}", source,
                    METHODS.contains(request.method().name()) ? request.method().name() : "other", logged, caller.failure());
            FullHttpResponse response = response(HttpResponseStatus.UNAUTHORIZED, "unauthorized\n");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"sipshield\"");
            send(ctx, request, response);
            return;
        }
        if (path.startsWith("/api/")) {
            AdminApi admin = api.admin();
            AdminRoutes.Answer answer = admin == null ? new AdminRoutes.Answer(503, "{\"error\":\"starting\"}")
                    : new AdminRoutes(admin, api::securityEvents).handle(request.method().name(), path,
                            request.content().toString(StandardCharsets.UTF_8), source, caller.who());
            FullHttpResponse response = response(HttpResponseStatus.valueOf(answer.status()), answer.json() + "\n");
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            send(ctx, request, response);
            return;
        }
        switch (path) {
            case "/health/ready" -> {
                if (!only(ctx, request, HttpMethod.GET)) {
                    return;
                }
                String notReady = api.notReadyBecause();
                String degraded = notReady == null ? api.degradedBecause() : null;
                respond(ctx, request, notReady == null ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        notReady != null ? "not ready: " + notReady + "\n"
                                : degraded == null ? "ready\n" : "ready, degraded: " + degraded + "\n");
            }
            case "/metrics" -> {
                if (!only(ctx, request, HttpMethod.GET)) {
                    return;
                }
                FullHttpResponse response = response(HttpResponseStatus.OK, api.metrics());
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                send(ctx, request, response);
            }
            case "/drain" -> {
                if (!only(ctx, request, HttpMethod.POST)) {
                    return;
                }
                SECURITY.warn("SECURITY admin-action src={} who={} action=drain", source, caller.who());
                boolean started = api.drain(caller.who());
                respond(ctx, request, HttpResponseStatus.ACCEPTED, started ? "draining\n" : "already draining\n");
            }
            default -> respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n");
        }
    }

    private boolean only(ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod method) {
        if (request.method().equals(method)) {
            return true;
        }
        FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
        response.headers().set(HttpHeaderNames.ALLOW, method.name());
        send(ctx, request, response);
        return false;
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
        send(ctx, request, response(status, body));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request) && response.status().code() < 400;
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // handshake refusals are logged by the trust manager (tls-peer-rejected); the rest is noise at debug
        LOG.debug("management connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
