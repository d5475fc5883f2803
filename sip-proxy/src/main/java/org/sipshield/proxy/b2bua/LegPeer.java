package org.sipshield.proxy.b2bua;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import gov.nist.javax.sip.TransactionExt;
import gov.nist.javax.sip.message.SIPMessage;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.ClientTransaction;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.Transport;
import org.sipshield.proxy.pipeline.InboundRequest;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.tls.PeerIdentityVerifier;

/**
 * The peer one leg of a call was set up with, as the wire showed it: transport, address and, on
 * TLS, the certificate it presented. An in-dialog request is accepted on a leg only from that peer
 * (a dialog's Call-ID and tags travel in clear on UDP and TCP, so knowing them proves nothing):
 * <ul>
 * <li>the transport must be the leg's;</li>
 * <li>on TLS, the connection's certificate must be the one the leg was set up with (the same
 * connection, or a new one with the same certificate), or, for a trunk, one whose names that
 * trunk's profile allows (a carrier may open a new connection with its client certificate);
 * a leg set up without a certificate, and an ACK (jain-sip shows certificates only through a
 * transaction), fall back to the address;</li>
 * <li>on UDP and TCP, the source address must be the one the leg was set up with (the port may
 * differ: a TCP peer opens connections from any port), or, for a trunk, one of its addresses.</li>
 * </ul>
 */
record LegPeer(Transport transport, InetAddress address, byte[] certificateSha256, SignallingProtection signalling,
        String cipherSuite) {

    static LegPeer of(InboundRequest request) {
        return new LegPeer(request.transport(), request.source().getAddress(), fingerprint(request.peerCertificates()),
                SignallingProtection.of(request.transport(), request.cipherSuite()), request.cipherSuite());
    }

    /** The peer that answered our INVITE on leg B: where its answer came from, and its certificate on TLS. */
    static LegPeer ofAnswer(Response answer, ClientTransaction transaction, Transport transport) {
        List<X509Certificate> chain = new ArrayList<>();
        String suite = null;
        if (transport == Transport.TLS && transaction instanceof TransactionExt tls) {
            try {
                suite = tls.getCipherSuite();
                for (Certificate certificate : tls.getPeerCertificates()) {
                    if (certificate instanceof X509Certificate x509) {
                        chain.add(x509);
                    }
                }
            } catch (SSLPeerUnverifiedException | UnsupportedOperationException e) {
                // no certificate: the address decides
            }
        }
        return new LegPeer(transport, ((SIPMessage) answer).getRemoteAddress(), fingerprint(chain),
                SignallingProtection.of(transport, suite), suite);
    }

    /**
     * The hop we sent a request to, until its answer shows who answered: null unless the host is an
     * address literal (naming a host would mean a DNS query on the signalling path).
     */
    static LegPeer ofHop(Hop hop) {
        String host = hop.host();
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return null;
        }
        try {
            return new LegPeer(hop.transport(), InetAddress.getByName(host), null, SignallingProtection.of(hop.transport(),
                    null), null);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** Why the request may not speak for this leg, or empty when it may. */
    Optional<String> mismatch(InboundRequest request, Peer peer, SecurityModel model) {
        if (request.transport() != transport) {
            return Optional.of("transport " + request.transport() + " is not the leg's " + transport);
        }
        InetAddress source = request.source().getAddress();
        // an ACK has no transaction, and past the screening valve jain-sip shows a connection's certificates
        // only through one: an ACK on TLS is judged by its address (it cannot end the call; at most it
        // answers our own offer)
        if (transport == Transport.TLS && certificateSha256 != null && !Request.ACK.equals(request.method())) {
            List<X509Certificate> chain = request.peerCertificates();
            if (Arrays.equals(certificateSha256, fingerprint(chain)) || namesFitTrunk(chain, peer, model)) {
                return Optional.empty();
            }
            return Optional.of(chain.isEmpty() ? "no certificate on this connection" : "another certificate");
        }
        if (source.equals(address) || isTrunkAddress(request, peer, model)) {
            return Optional.empty();
        }
        return Optional.of("address is not the leg's");
    }

    private static boolean namesFitTrunk(List<X509Certificate> chain, Peer peer, SecurityModel model) {
        if (chain.isEmpty() || !(peer instanceof Peer.Trunk trunk)) {
            return false;
        }
        List<String> names = PeerIdentityVerifier.namesOf(chain.get(0));
        return model.allowedPeerNames(trunk.trunk()).flatMap(allowed -> allowed.firstAllowed(names)).isPresent();
    }

    private static boolean isTrunkAddress(InboundRequest request, Peer peer, SecurityModel model) {
        return peer instanceof Peer.Trunk trunk && model.trunkCandidates(request.localPort(), request.transport(),
                request.source().getAddress()).stream().anyMatch(candidate -> candidate.trunk().equals(trunk.trunk()));
    }

    private static byte[] fingerprint(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return null;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a peer certificate", e);
        }
    }

    @Override
    public String toString() {
        return transport + " " + address.getHostAddress() + (certificateSha256 == null ? "" : " with a certificate");
    }
}
