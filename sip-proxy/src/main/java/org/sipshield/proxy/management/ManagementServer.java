package org.sipshield.proxy.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicReference;
import org.sipshield.config.ManagementSettings;
import org.sipshield.tls.CertificateChainValidator;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.ClientAuth;
import org.sipshield.tls.IdentityStore;
import org.sipshield.tls.PeerIdentityVerifier;
import org.sipshield.tls.ServerIdentity;
import org.sipshield.tls.TlsPolicy;
import org.sipshield.tls.TlsSocketFactory;
import org.sipshield.tls.TrustStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management listener: HTTPS on its own address and port, with the {@code https} identity
 * and the HTTPS interface's cipher settings (httpsTls, else allTls, else TLS Ciphers). Clients may
 * present a certificate; one that does not chain to the {@code https} trust store fails the
 * handshake. Its single event loop is its own: a slow client or a token check never delays SIP.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    /** A request (headers and body) larger than this is refused: the API takes no uploads. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    /** A connection that sends nothing for this long is closed (slow-loris). */
    private static final int IDLE_SECONDS = 30;

    private final MultiThreadIoEventLoopGroup group;
    private final Channel channel;
    /** What the next connection handshakes with: a reload or new certificate files replace it. */
    private final AtomicReference<TlsSocketFactory> tls;
    private final Path dataDirectory;
    private final String hostName;

    private ManagementServer(MultiThreadIoEventLoopGroup group, Channel channel, AtomicReference<TlsSocketFactory> tls,
            Path dataDirectory, String hostName) {
        this.group = group;
        this.channel = channel;
        this.tls = tls;
        this.dataDirectory = dataDirectory;
        this.hostName = hostName;
    }

    /**
     * Binds and serves. A first start makes the https identity (self-signed) and the admin token,
     * which is printed once on standard output and never stored but as a hash.
     */
    public static ManagementServer start(ManagementSettings settings, TlsPolicy policy, Path dataDirectory,
            String hostName, ManagementApi api) throws IOException, GeneralSecurityException, InterruptedException {
        AtomicReference<TlsSocketFactory> tls = new AtomicReference<>(tls(policy, dataDirectory, hostName));
        AdminToken token = new AdminToken(dataDirectory);
        String created = token.createIfAbsent();
        if (created != null) {
            // Standard output, not the log: log files are kept and shipped, the token must not be.
            System.out.println("sipshield: management API token (shown once, store it now): " + created);
            LOG.info("management API token created; its hash is in {} (rotate: sipshield admin token)", AdminToken.FILE_NAME);
        }
        AdminAuthenticator authenticator = new AdminAuthenticator(token);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            InetSocketAddress peer = ch.remoteAddress();
                            ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_SECONDS),
                                    new SslHandler(tls.get().createServerEngine(peer.getAddress().getHostAddress(), peer.getPort())),
                                    new HttpServerCodec(4096, 8192, 8192),
                                    new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                    new ManagementHandler(authenticator, api));
                        }
                    })
                    .bind(new InetSocketAddress(settings.address(), settings.port())).sync().channel();
            LOG.info("management HTTPS on {}:{}; {}", settings.address(), settings.port(),
                    tls.get().settings().describe().replace('\n', ' '));
            return new ManagementServer(group, channel, tls, dataDirectory, hostName);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The https identity (made self-signed on first use), its trust store, the HTTPS interface's cipher settings. */
    private static TlsSocketFactory tls(TlsPolicy policy, Path dataDirectory, String hostName)
            throws IOException, GeneralSecurityException {
        ServerIdentity identity = new IdentityStore(dataDirectory).loadOrCreate(CertificatePurpose.HTTPS, hostName);
        TrustStore trust = new TrustStore(dataDirectory, CertificatePurpose.HTTPS);
        return TlsSocketFactory.builder(policy.effective(CertificatePurpose.HTTPS))
                .identity(identity)
                .peerVerifier(new PeerIdentityVerifier(CertificateChainValidator.of(trust), null))
                .acceptedIssuers(trust.certificates())
                .clientAuth(ClientAuth.WANT)
                .build();
    }

    /**
     * The TLS side a reload brings (policy, the https identity and trust store read again), built
     * without putting it in force: a file that cannot be read throws here and nothing changes.
     */
    public TlsSocketFactory prepareTls(TlsPolicy policy) throws IOException, GeneralSecurityException {
        return tls(policy, dataDirectory, hostName);
    }

    /** Puts a prepared TLS side in force for the next connection; connections up keep theirs. */
    public void applyTls(TlsSocketFactory next) {
        tls.set(next);
        LOG.info("management HTTPS: {}", next.settings().describe().replace('\n', ' '));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public TlsSocketFactory tls() {
        return tls.get();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
