package org.sipshield.proxy.transport;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.TlsSettings;
import org.sipshield.proxy.security.TlsModes;
import org.sipshield.tls.CertificateChainValidator;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.ClientAuth;
import org.sipshield.tls.IdentityStore;
import org.sipshield.tls.PeerIdentityVerifier;
import org.sipshield.tls.RevocationChecker;
import org.sipshield.tls.ServerIdentity;
import org.sipshield.tls.TlsSocketFactory;
import org.sipshield.tls.TrustStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP TLS side in force: policy, identities, trust store and OCSP client, built whole from one
 * configuration and the data directory's files, and replaced in one step by a reload. The listener
 * and outbound connections ask it at each new connection, so the next handshake uses what a reload
 * brought (a new cipher order, a new certificate), while connections already up keep their session.
 *
 * <p>Both SIP identities are served side by side when the ECDSA one exists (the reference's
 * CallManager and CallManager-ECDSA): the suite the server's order picks among the client's decides
 * which key signs, so an ECDSA-preferred TLS Ciphers option makes ECDSA clients get the EC certificate.
 */
public final class LiveSipTls implements Supplier<TlsSocketFactory> {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSipTls.class);

    /** Everything one load built; nothing in it changes afterwards. */
    public record State(TlsSocketFactory sockets, List<ServerIdentity> identities, RevocationChecker ocsp,
            TlsSettings settings) {}

    private final AtomicReference<State> state = new AtomicReference<>();
    private final Predicate<X509Certificate> pinned;

    /** @param pinned whether a device pins this certificate (asked at each handshake: reloads change it) */
    private LiveSipTls(Predicate<X509Certificate> pinned) {
        this.pinned = pinned;
    }

    public static LiveSipTls start(SipShieldConfig config, Predicate<X509Certificate> pinned)
            throws GeneralSecurityException, IOException {
        LiveSipTls tls = new LiveSipTls(pinned);
        tls.apply(tls.prepare(config));
        return tls;
    }

    /**
     * Builds the TLS side for next without putting it in force: a certificate that cannot be read
     * throws here, and the running side stays. The OCSP client is kept while its settings are the
     * same, so its cached answers are too.
     */
    public State prepare(SipShieldConfig next) throws GeneralSecurityException, IOException {
        State running = state.get();
        TlsSettings tls = next.tls();
        RevocationChecker ocsp = running != null && sameOcsp(running.settings(), tls) ? running.ocsp() : SipTls.ocsp(tls);
        List<ServerIdentity> identities = identities(next);
        TrustStore trust = new TrustStore(next.server().dataDirectory(), CertificatePurpose.SIP);
        TlsSocketFactory sockets = TlsSocketFactory.builder(tls.policy().effective(CertificatePurpose.SIP,
                        TlsModes.sipListenerProtections(next)))
                .identities(identities)
                .peerVerifier(new PeerIdentityVerifier(CertificateChainValidator.of(trust), ocsp))
                .acceptedIssuers(trust.certificates())
                .clientAuth(ClientAuth.WANT)
                .pinnedCertificates(pinned)
                .build();
        return new State(sockets, identities, ocsp, tls);
    }

    public void apply(State next) {
        state.set(next);
        LOG.info("SIP TLS: {}; identities: {}", next.sockets().settings().describe().replace('\n', ' '), next.identities());
    }

    /** The factory the next handshake uses. */
    @Override
    public TlsSocketFactory get() {
        return state.get().sockets();
    }

    /** The RSA identity (the reference's CallManager certificate). */
    public ServerIdentity identity() {
        return state.get().identities().get(0);
    }

    /** The OCSP client in force, or null when OCSP is off. */
    public RevocationChecker ocsp() {
        return state.get().ocsp();
    }

    /** The sip identity (made self-signed on first use), then the sip-ecdsa one when the operator made it. */
    static List<ServerIdentity> identities(SipShieldConfig config) throws GeneralSecurityException, IOException {
        IdentityStore store = new IdentityStore(config.server().dataDirectory());
        List<ServerIdentity> identities = new ArrayList<>();
        identities.add(store.loadOrCreate(CertificatePurpose.SIP, config.server().hostName()));
        if (store.exists(CertificatePurpose.SIP_ECDSA)) {
            ServerIdentity ecdsa = store.load(CertificatePurpose.SIP_ECDSA);
            if (!"EC".equals(ecdsa.certificate().getPublicKey().getAlgorithm())) {
                throw new GeneralSecurityException(store.certificateFile(CertificatePurpose.SIP_ECDSA)
                        + " holds a " + ecdsa.certificate().getPublicKey().getAlgorithm() + " key, not an EC key");
            }
            identities.add(ecdsa);
        }
        return identities;
    }

    static boolean sameOcsp(TlsSettings a, TlsSettings b) {
        return a.ocspEnabled() == b.ocspEnabled() && Objects.equals(a.ocspResponder(), b.ocspResponder())
                && a.ocspCheckEverySeconds() == b.ocspCheckEverySeconds() && a.ocspStrict() == b.ocspStrict();
    }
}
