package org.sipshield.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.BCSSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server sockets, client sockets and engines on Bouncy Castle's JSSE, configured with one
 * interface's {@link EffectiveTlsSettings}: exactly its protocols and suites, in its order,
 * the server's order enforced, the reference's curves (the client's preference among them),
 * client certificates as configured, and peer chains checked against the trust store (and OCSP).
 *
 * <pre>{@code
 * TlsSocketFactory sip = TlsSocketFactory.builder(policy.effective(CertificatePurpose.SIP, protections))
 *         .identity(identityStore.loadOrCreate(CertificatePurpose.SIP, hostName))
 *         .peerVerifier(new PeerIdentityVerifier(CertificateChainValidator.of(sipTrust), ocspOrNull))
 *         .clientAuth(ClientAuth.WANT)
 *         .build();
 * SSLServerSocket listener = sip.createServerSocket(bindAddress, 5061, 50);
 * }</pre>
 */
public final class TlsSocketFactory {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    private final SSLContext context;
    private final EffectiveTlsSettings settings;
    private final ClientAuth clientAuth;
    private final PeerIdentityVerifier verifier;

    private TlsSocketFactory(Builder builder) throws GeneralSecurityException {
        this.settings = builder.settings;
        this.clientAuth = builder.clientAuth;
        this.verifier = builder.verifier;
        List<X509Certificate> issuers = builder.acceptedIssuers;
        TrustManager trustManager = new PeerTrustManager(verifier, issuers, builder.rejections, builder.pinned);
        this.context = SSLContext.getInstance("TLS", BouncyCastle.jsseProvider());
        context.init(keyManagers(builder.identities), new TrustManager[] {trustManager}, new SecureRandom());
    }

    public static Builder builder(EffectiveTlsSettings settings) {
        return new Builder(settings);
    }

    public EffectiveTlsSettings settings() {
        return settings;
    }

    public PeerIdentityVerifier peerVerifier() {
        return verifier;
    }

    /** The configured context, for code that needs one (e.g. an HTTPS server). Prefer the methods below. */
    public SSLContext sslContext() {
        return context;
    }

    /** A listening socket on bindAddress:port (port 0 for any); every accepted socket is configured. */
    public SSLServerSocket createServerSocket(InetAddress bindAddress, int port, int backlog) throws IOException {
        SSLServerSocket socket = createUnboundServerSocket();
        socket.bind(new InetSocketAddress(bindAddress, port), backlog);
        return socket;
    }

    /**
     * An unbound server socket (set options such as SO_REUSEADDR, then bind), as jain-sip's
     * NetworkLayer makes them. Use this socket's own accept(): it configures each accepted
     * socket (named groups, client auth) before the handshake.
     */
    public SSLServerSocket createUnboundServerSocket() throws IOException {
        return createUnboundServerSocket(() -> this);
    }

    /**
     * As {@link #createUnboundServerSocket()}, but each accepted connection handshakes with the
     * factory {@code current} gives at that moment: a listener whose policy and identities a reload
     * replaces, while connections already up keep theirs.
     */
    public static SSLServerSocket createUnboundServerSocket(java.util.function.Supplier<TlsSocketFactory> current)
            throws IOException {
        return new ConfiguredSslServerSocket(new java.net.ServerSocket(), current);
    }

    ClientAuth clientAuth() {
        return clientAuth;
    }

    /** An unconnected client socket configured for this interface; connect it, then handshake. */
    public SSLSocket createSocket() throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        configure(socket, true);
        return socket;
    }

    /**
     * Outbound TLS to a trunk: connects, handshakes, and verifies the server against the
     * profile's names; a server that is not accepted is disconnected and reported.
     */
    public SSLSocket connect(InetSocketAddress server, AllowedPeerNames allowed, Duration timeout) throws IOException {
        SSLSocket socket = createSocket();
        try {
            socket.connect(server, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.startHandshake();
            socket.setSoTimeout(0);
            PeerVerdict verdict = verifier.verify(socket.getSession(), allowed);
            String source = PeerTrustManager.address(server);
            if (!verdict.accepted()) {
                SECURITY.warn(verdict.securityEvent(source));
                throw new PeerRejectedException(verdict, source);
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public SSLEngine createServerEngine() {
        SSLEngine engine = context.createSSLEngine();
        configure(engine, false);
        return engine;
    }

    /** A server engine that knows its client's address, so a refused certificate is logged with where it came from. */
    public SSLEngine createServerEngine(String peerHost, int peerPort) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        configure(engine, false);
        return engine;
    }

    public SSLEngine createClientEngine(String peerHost, int peerPort) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        configure(engine, true);
        return engine;
    }

    /** The profile check after an inbound handshake: chain (again, cached OCSP) and names. */
    public PeerVerdict verifyPeer(SSLSocket socket, AllowedPeerNames allowed) {
        return verifier.verify(socket.getSession(), allowed);
    }

    void configureServerSide(SSLSocket socket) {
        configure(socket, false);
    }

    private void configure(SSLSocket socket, boolean client) {
        socket.setUseClientMode(client);
        ((BCSSLSocket) socket).setParameters(bcParameters(client));
    }

    private void configure(SSLEngine engine, boolean client) {
        engine.setUseClientMode(client);
        ((BCSSLEngine) engine).setParameters(bcParameters(client));
    }

    private BCSSLParameters bcParameters(boolean client) {
        BCSSLParameters parameters = new BCSSLParameters(settings.cipherSuiteNames(), settings.protocolNames());
        parameters.setUseCipherSuitesOrder(true);
        parameters.setNamedGroups(settings.namedGroups().toArray(new String[0]));
        // The reference: "Curve negotiation is based on the client preference".
        parameters.setUseNamedGroupsOrder(false);
        // Only ever set the one that is on: as in JSSE, setting either to false clears the other.
        if (!client && clientAuth == ClientAuth.NEED) {
            parameters.setNeedClientAuth(true);
        } else if (!client && clientAuth == ClientAuth.WANT) {
            parameters.setWantClientAuth(true);
        }
        return parameters;
    }

    private static KeyManager[] keyManagers(List<ServerIdentity> identities) throws GeneralSecurityException {
        if (identities.isEmpty()) {
            return null;
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12", BouncyCastle.provider());
        try {
            keyStore.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] transientPassword = new char[0];
        int index = 0;
        for (ServerIdentity identity : identities) {
            keyStore.setKeyEntry("identity-" + index++, identity.privateKey(), transientPassword,
                    identity.chain().toArray(new Certificate[0]));
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX", BouncyCastle.jsseProvider());
        factory.init(keyStore, transientPassword);
        return factory.getKeyManagers();
    }

    public static final class Builder {
        private final EffectiveTlsSettings settings;
        private List<ServerIdentity> identities = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private PeerIdentityVerifier verifier;
        private List<X509Certificate> acceptedIssuers = List.of();
        private BiConsumer<String, PeerVerdict> rejections = (source, verdict) -> SECURITY.warn(verdict.securityEvent(source));
        private java.util.function.Predicate<X509Certificate> pinned = certificate -> false;

        private Builder(EffectiveTlsSettings settings) {
            this.settings = java.util.Objects.requireNonNull(settings, "settings");
        }

        /** The certificate this side presents. Several (an RSA and an EC one) let each suite find its key. */
        public Builder identity(ServerIdentity... identities) {
            this.identities = List.of(identities);
            return this;
        }

        public Builder identities(List<ServerIdentity> identities) {
            this.identities = List.copyOf(identities);
            return this;
        }

        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = java.util.Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        /** Checks peer chains in the handshake; required (a TLS peer is always verified). */
        public Builder peerVerifier(PeerIdentityVerifier verifier) {
            this.verifier = verifier;
            return this;
        }

        /** The CA names sent in a certificate request (usually the trust store's certificates). */
        public Builder acceptedIssuers(List<X509Certificate> issuers) {
            this.acceptedIssuers = List.copyOf(issuers);
            return this;
        }

        /** Who hears about peers refused in the handshake; default: the SECURITY log line. */
        public Builder onRejectedPeer(BiConsumer<String, PeerVerdict> listener) {
            this.rejections = java.util.Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Leaf certificates that pass the handshake although no chain leads to the trust store (asked
         * on every handshake, so it may follow a reloaded configuration). Default: none.
         */
        public Builder pinnedCertificates(java.util.function.Predicate<X509Certificate> pinned) {
            this.pinned = java.util.Objects.requireNonNull(pinned, "pinned");
            return this;
        }

        public TlsSocketFactory build() throws GeneralSecurityException {
            if (verifier == null) {
                throw new IllegalStateException("a TLS socket factory needs a peer verifier (the trust store it checks peers against)");
            }
            return new TlsSocketFactory(this);
        }
    }

    /** Convenience for the common case: one identity, a trust store, the policy's settings for these protections. */
    public static TlsSocketFactory forInterface(TlsPolicy policy, CertificatePurpose tlsInterface,
            Set<TlsProtection> protections, ServerIdentity identity, TrustStore trustStore,
            RevocationChecker revocationOrNull, ClientAuth clientAuth) throws GeneralSecurityException, IOException {
        return forInterface(policy, tlsInterface, protections, identity, trustStore, revocationOrNull, clientAuth, c -> false);
    }

    /** As above, with pinned certificates that pass the handshake without the trust store. */
    public static TlsSocketFactory forInterface(TlsPolicy policy, CertificatePurpose tlsInterface,
            Set<TlsProtection> protections, ServerIdentity identity, TrustStore trustStore,
            RevocationChecker revocationOrNull, ClientAuth clientAuth, java.util.function.Predicate<X509Certificate> pinned)
            throws GeneralSecurityException, IOException {
        return builder(policy.effective(tlsInterface, protections))
                .identity(identity)
                .peerVerifier(new PeerIdentityVerifier(CertificateChainValidator.of(trustStore), revocationOrNull))
                .acceptedIssuers(trustStore.certificates())
                .clientAuth(clientAuth)
                .pinnedCertificates(pinned)
                .build();
    }
}
