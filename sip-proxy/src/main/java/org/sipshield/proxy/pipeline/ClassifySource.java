package org.sipshield.proxy.pipeline;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.SecuritySettings;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.security.TlsModes;
import org.sipshield.tls.AllowedPeerNames;
import org.sipshield.tls.CertificateChainValidator;
import org.sipshield.tls.PeerIdentityVerifier;
import org.sipshield.tls.TlsPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step: who is speaking. A trunk is recognised by listening port, transport and source
 * address, and on TLS by its certificate's subject or SAN names; a phone or voicemail port by
 * the directory number it registers (REGISTER) or calls from, which must come from where it
 * registered unless its profile makes it prove itself with digest. Anybody else is an unknown
 * source: 403 or silence, as configured. Whether a secure device's certificate is its own is the
 * next step's question ({@link TlsDeviceAuthentication}).
 */
public final class ClassifySource implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    /** Where the registrar saw a device register from. */
    public interface RegisteredSources {
        boolean isRegisteredFrom(String deviceName, java.net.InetSocketAddress source);
    }

    private final Supplier<SecurityModel> model;
    private final RegisteredSources registrations;
    private final CertificateChainValidator sipTrust;

    /** @param sipTrust the SIP trust store: the handshake also admits certificates devices pin, which name no trunk */
    public ClassifySource(Supplier<SecurityModel> model, RegisteredSources registrations, CertificateChainValidator sipTrust) {
        this.model = model;
        this.registrations = registrations;
        this.sipTrust = sipTrust;
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        SecurityModel current = model.get();
        Optional<Peer> trunk = trunk(current, inbound);
        Optional<Peer> peer = trunk.or(() -> device(current, inbound));
        if (trunk.isEmpty() && !(peer.isPresent() && peer.get() instanceof Peer.Device device && !NumberDecoy.is(device))) {
            // a TLS peer on a trunk's port that is a phone of ours is no rejection: only one that is nobody is
            rejectedAsTrunk(current, inbound);
        }
        if (peer.isPresent()) {
            inbound.peer(peer.get());
            return Verdict.proceed();
        }
        boolean invisible = current.config().security().unknownSource() == SecuritySettings.Rejection.DROP;
        if (!invisible && inbound.isOutOfDialog() && PingAnswer.isPing(inbound.request())) {
            return Verdict.proceed(); // a stranger that would get 403 may as well get its health check answered
        }
        SECURITY.info("SECURITY unknown-source src={} port={} transport={} local-port={} method={}",
                inbound.source().getAddress().getHostAddress(), inbound.source().getPort(), inbound.transport(),
                inbound.localPort(), inbound.method());
        return invisible ? Verdict.drop("unknown source") : Verdict.respond(403, "Forbidden");
    }

    private Optional<Peer> trunk(SecurityModel current, InboundRequest inbound) {
        List<Peer.Trunk> candidates = current.trunkCandidates(inbound.localPort(), inbound.transport(),
                inbound.source().getAddress());
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        List<X509Certificate> chain = inbound.peerCertificates();
        List<String> names = chain.isEmpty() ? List.of() : PeerIdentityVerifier.namesOf(chain.get(0));
        for (Peer.Trunk candidate : candidates) {
            if (!candidate.profile().isTls()) {
                return Optional.of(candidate);
            }
            Optional<AllowedPeerNames> allowed = current.allowedPeerNames(candidate.trunk());
            if (allowed.isPresent() && allowed.get().firstAllowed(names).isPresent() && suiteFits(inbound, candidate)
                    && sipTrust.validate(chain) instanceof CertificateChainValidator.Result.Valid) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A TLS peer on a trunk's port whose names fit no trunk (over a suite the trunk's mode accepts, on
     * a chain the SIP trust store vouches for) and that is no device of ours either: the names it
     * presented are what an operator needs to tell a misconfigured carrier from a prober.
     */
    private void rejectedAsTrunk(SecurityModel current, InboundRequest inbound) {
        List<Peer.Trunk> candidates = current.trunkCandidates(inbound.localPort(), inbound.transport(),
                inbound.source().getAddress());
        if (candidates.isEmpty() || !candidates.get(0).profile().isTls()) {
            return;
        }
        List<X509Certificate> chain = inbound.peerCertificates();
        List<String> names = chain.isEmpty() ? List.of() : PeerIdentityVerifier.namesOf(chain.get(0));
        SECURITY.info("SECURITY tls-peer-rejected src={} port={} local-port={} names=\"{}\" reason=no-trunk-allows-these-names",
                inbound.source().getAddress().getHostAddress(), inbound.source().getPort(), inbound.localPort(),
                sanitized(String.join(",", names)));
    }

    private Optional<Peer> device(SecurityModel current, InboundRequest inbound) {
        Request request = inbound.request();
        boolean register = Request.REGISTER.equals(request.getMethod());
        String number = register ? user(((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI())
                : user(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI());
        if (number == null) {
            return Optional.empty();
        }
        boolean invisible = current.config().security().unknownSource() == SecuritySettings.Rejection.DROP;
        Optional<Peer> device = knownDevice(current, inbound, number, register, invisible);
        if (device.isPresent()) {
            return device;
        }
        // A number that is not (or not here) a device is challenged exactly like one that is, so an
        // extension scanner (svwar) cannot tell numbers apart: REGISTER always, other methods unless
        // unknown sources are dropped (then both kinds get silence).
        if (!register && invisible) {
            return Optional.empty();
        }
        Optional<Peer> decoy = NumberDecoy.of(current);
        decoy.ifPresent(d -> SECURITY.info(
                "SECURITY unknown-source src={} port={} transport={} local-port={} method={} answer=challenge",
                inbound.source().getAddress().getHostAddress(), inbound.source().getPort(), inbound.transport(),
                inbound.localPort(), inbound.method()));
        return decoy;
    }

    private Optional<Peer> knownDevice(SecurityModel current, InboundRequest inbound, String number, boolean register,
            boolean invisible) {
        Optional<DeviceIdentity> device = current.deviceByNumber(number);
        if (device.isEmpty()) {
            return Optional.empty();
        }
        PhoneSecurityProfile profile = current.profileOf(device.get());
        if (!profile.transportType().admits(inbound.transport())) {
            return Optional.empty();
        }
        // Without digest, a device's requests are its own only when they come from where it registered.
        // With unknownSource DROP, digest too: otherwise a 407 would tell a scanner which numbers exist.
        if (!register && (!profile.enableDigestAuthentication() || invisible)
                && !registrations.isRegisteredFrom(device.get().deviceName(), inbound.source())) {
            return Optional.empty();
        }
        return Optional.of(new Peer.Device(device.get(), profile));
    }

    /**
     * A trunk in ENCRYPTED mode must not be reached over a NULL (integrity-only) suite. Fails closed:
     * a connection whose suite is unknown, or a TLS profile without a TLS mode, fits nothing.
     */
    private static boolean suiteFits(InboundRequest inbound, Peer.Trunk trunk) {
        String suite = inbound.cipherSuite();
        return TlsModes.protection(trunk.profile().deviceSecurityMode())
                .map(protection -> TlsPolicy.suiteProvides(suite, protection)).orElse(false);
    }

    /** Names come from a certificate the peer chose: only printable ASCII reaches the log. */
    static String sanitized(String text) {
        String cut = text.length() > 256 ? text.substring(0, 256) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?").replace("\"", "'");
    }

    private static String user(javax.sip.address.URI uri) {
        return uri instanceof SipURI sip ? sip.getUser() : null;
    }
}
