package org.sipshield.proxy.pipeline;

import gov.nist.javax.sip.ServerTransactionExt;
import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.message.Request;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.Peer;

/**
 * One request on its way through the pipeline: the message, where it came from and on which
 * listener, and what the steps so far have learnt (who the peer is, who authenticated).
 */
public final class InboundRequest {
    private final RequestEvent event;
    private final SipProvider provider;
    private final ServerTransaction transaction;
    private final Transport transport;
    private final int localPort;
    private final InetSocketAddress source;
    private Peer peer = new Peer.Unknown();
    private String authenticatedUser;

    public InboundRequest(RequestEvent event, ServerTransaction transaction) {
        this.event = event;
        this.provider = (SipProvider) event.getSource();
        this.transaction = transaction;
        ListeningPoint point = provider.getListeningPoints()[0];
        this.transport = Transport.valueOf(point.getTransport().toUpperCase(java.util.Locale.ROOT));
        this.localPort = point.getPort();
        SIPRequest request = (SIPRequest) event.getRequest();
        this.source = new InetSocketAddress(request.getRemoteAddress(), request.getRemotePort());
    }

    public Request request() {
        return event.getRequest();
    }

    public RequestEvent event() {
        return event;
    }

    public String method() {
        return event.getRequest().getMethod();
    }

    public SipProvider provider() {
        return provider;
    }

    /** Null for ACK, which has no transaction of its own. */
    public ServerTransaction transaction() {
        return transaction;
    }

    public Transport transport() {
        return transport;
    }

    public int localPort() {
        return localPort;
    }

    public InetSocketAddress source() {
        return source;
    }

    public String callId() {
        return ((SIPRequest) event.getRequest()).getCallId().getCallId();
    }

    /** True when the request belongs to no dialog yet (no To tag). */
    public boolean isOutOfDialog() {
        return ((SIPRequest) event.getRequest()).getToTag() == null;
    }

    /** The TLS peer's certificate chain, leaf first; empty on TCP/UDP or when the peer sent none. */
    public List<X509Certificate> peerCertificates() {
        List<X509Certificate> chain = new ArrayList<>();
        if (transport != Transport.TLS || !(transaction instanceof ServerTransactionExt tls)) {
            return chain;
        }
        try {
            for (Certificate certificate : tls.getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException | UnsupportedOperationException e) {
            // no client certificate on this connection
        }
        return chain;
    }

    /** The negotiated TLS suite, or null on TCP/UDP. */
    public String cipherSuite() {
        if (transport != Transport.TLS || !(transaction instanceof ServerTransactionExt tls)) {
            return null;
        }
        try {
            return tls.getCipherSuite();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    public Peer peer() {
        return peer;
    }

    void peer(Peer peer) {
        this.peer = peer;
    }

    /** The digest user name this request authenticated as, or null. */
    public String authenticatedUser() {
        return authenticatedUser;
    }

    void authenticatedUser(String user) {
        this.authenticatedUser = user;
    }

    @Override
    public String toString() {
        return method() + " from " + source.getAddress().getHostAddress() + ":" + source.getPort() + " over " + transport
                + " to port " + localPort + " (" + peer.describe() + ")";
    }
}
