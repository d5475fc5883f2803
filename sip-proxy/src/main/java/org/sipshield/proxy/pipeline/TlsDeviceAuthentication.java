package org.sipshield.proxy.pipeline;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.sipshield.config.SecuritySettings;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.security.TlsModes;
import org.sipshield.tls.CertificateChainValidator;
import org.sipshield.tls.CertificateFingerprint;
import org.sipshield.tls.TlsProtection;
import org.sipshield.tls.PeerIdentityVerifier;
import org.sipshield.tls.TlsPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference's Device Security Mode for phones and voicemail ports: Authenticated and
 * Encrypted mean the device is authenticated by its TLS certificate, whether or not its profile
 * also asks for digest. A secure device's request passes only over a suite that fits its mode
 * (Encrypted: an encrypting one) with a certificate that is this device's: the one it pins, or one
 * that chains to the SIP trust store and has the device name as subject CN or SAN. Anything else
 * is refused like an unknown source (403 or silence) with a {@code tls-device-rejected} line.
 */
public final class TlsDeviceAuthentication implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    private final Supplier<SecurityModel> model;
    private final CertificateChainValidator sipTrust;

    /** @param sipTrust the SIP trust store: the handshake also admits pinned certificates, so names need it again */
    public TlsDeviceAuthentication(Supplier<SecurityModel> model, CertificateChainValidator sipTrust) {
        this.model = model;
        this.sipTrust = sipTrust;
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        if (!(inbound.peer() instanceof Peer.Device device)) {
            return Verdict.proceed();
        }
        Optional<TlsProtection> protection = TlsModes.protection(device.profile().deviceSecurityMode());
        if (protection.isEmpty()) {
            return Verdict.proceed();
        }
        List<X509Certificate> chain = inbound.peerCertificates();
        Optional<String> refusal = refusal(device.device(), protection.get(), inbound.cipherSuite(), chain);
        if (refusal.isEmpty()) {
            return Verdict.proceed();
        }
        String subject = chain.isEmpty() ? "-" : chain.get(0).getSubjectX500Principal().getName();
        SECURITY.info("SECURITY tls-device-rejected src={} port={} local-port={} device=\"{}\" reason={} subject=\"{}\"",
                inbound.source().getAddress().getHostAddress(), inbound.source().getPort(), inbound.localPort(),
                ClassifySource.sanitized(device.device().deviceName()), refusal.get(), ClassifySource.sanitized(subject));
        return model.get().config().security().unknownSource() == SecuritySettings.Rejection.DROP
                ? Verdict.drop("TLS device rejected")
                : Verdict.respond(403, "Forbidden");
    }

    private Optional<String> refusal(DeviceIdentity device, TlsProtection protection, String suite, List<X509Certificate> chain) {
        if (suite == null || !TlsPolicy.suiteProvides(suite, protection)) {
            return Optional.of(suite == null ? "no-tls" : "suite-below-mode");
        }
        if (chain.isEmpty()) {
            return Optional.of("no-certificate");
        }
        X509Certificate leaf = chain.get(0);
        if (device.certificateFingerprint() != null && device.certificateFingerprint().equals(CertificateFingerprint.of(leaf))) {
            return Optional.empty();
        }
        String name = device.deviceName().toLowerCase(Locale.ROOT);
        if (PeerIdentityVerifier.namesOf(leaf).stream().noneMatch(n -> n.toLowerCase(Locale.ROOT).equals(name))) {
            return Optional.of("not-this-device");
        }
        // Names count only on a chain the trust store vouches for: a certificate pinned by another
        // device passed the handshake too, and may carry this device's name.
        if (!(sipTrust.validate(chain) instanceof CertificateChainValidator.Result.Valid)) {
            return Optional.of("untrusted-chain");
        }
        return Optional.empty();
    }
}
