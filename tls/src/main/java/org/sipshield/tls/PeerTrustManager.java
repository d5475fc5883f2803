package org.sipshield.tls;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The handshake's trust decision: the peer chain must pass {@link PeerIdentityVerifier#verifyTrust}
 * (PKIX to the trust store, OCSP when on). A rejection is reported with the peer's address
 * before the handshake fails. Host name checks are not done here: a trunk's names are its
 * profile's list, checked after the handshake by {@link PeerIdentityVerifier#verify}.
 *
 * <p>A chain the trust store does not lead to still passes when its leaf, valid now, is a pinned
 * certificate (a device's configured fingerprint). So a certificate that passed the handshake is
 * not proof of the trust store: whoever names a peer by its certificate's names checks the chain
 * again, and a pinned certificate stands only for the device that pins it.
 */
final class PeerTrustManager extends X509ExtendedTrustManager {
    private final PeerIdentityVerifier verifier;
    private final List<X509Certificate> acceptedIssuers;
    private final BiConsumer<String, PeerVerdict> rejections;
    private final Predicate<X509Certificate> pinned;

    PeerTrustManager(PeerIdentityVerifier verifier, List<X509Certificate> acceptedIssuers,
            BiConsumer<String, PeerVerdict> rejections, Predicate<X509Certificate> pinned) {
        this.verifier = verifier;
        this.acceptedIssuers = List.copyOf(acceptedIssuers);
        this.rejections = rejections;
        this.pinned = pinned;
    }

    private void check(X509Certificate[] chain, String source) throws CertificateException {
        PeerVerdict verdict = verifier.verifyTrust(chain == null ? List.of() : List.of(chain));
        // Only an untrusted chain may be saved by a pin: an expired or revoked pinned certificate stays refused.
        if (!verdict.accepted() && ((PeerVerdict.Rejected) verdict).reason() == PeerVerdict.Reason.UNTRUSTED_CHAIN
                && pinned.test(chain[0])) {
            return;
        }
        if (!verdict.accepted()) {
            rejections.accept(source, verdict);
            PeerVerdict.Rejected rejected = (PeerVerdict.Rejected) verdict;
            throw new CertificateException(rejected.reason().logName() + ": " + rejected.detail());
        }
    }

    private static String source(Socket socket) {
        return socket == null ? "-" : address(socket.getRemoteSocketAddress());
    }

    private static String source(SSLEngine engine) {
        return engine == null || engine.getPeerHost() == null ? "-" : engine.getPeerHost() + ":" + engine.getPeerPort();
    }

    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, source(socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, source(socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, source(engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, source(engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "-");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "-");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return acceptedIssuers.toArray(new X509Certificate[0]);
    }
}
