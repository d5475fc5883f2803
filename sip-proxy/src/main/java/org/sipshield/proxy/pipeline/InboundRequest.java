package org.sipshield.proxy.pipeline;

import gov.nist.javax.sip.ServerTransactionExt;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.HandshakeCompletedListenerImpl;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.NioTlsMessageChannel;
import gov.nist.javax.sip.stack.TLSMessageChannel;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.Dialog;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import org.sipshield.config.Transport;
import org.sipshield.proxy.security.Peer;

/**
 * One request on its way through the pipeline: the message, where it came from and on which
 * listener, and what the steps so far have learnt (who the peer is, who authenticated). A plain
 * view: {@link #of} reads it off jain-sip (the one place that knows the stack's classes), and a
 * test builds one from a parsed message and the values it wants.
 */
public final class InboundRequest {
    /** What the TLS connection showed: the peer's chain (leaf first, empty when it sent none) and the suite. */
    public record Tls(List<X509Certificate> peerCertificates, String cipherSuite) {
        public static final Tls NONE = new Tls(List.of(), null);

        public Tls {
            peerCertificates = List.copyOf(peerCertificates);
        }
    }

    private final Request request;
    private final SipProvider provider;
    private final ServerTransaction transaction;
    private final Dialog dialog;
    private final Transport transport;
    private final int localPort;
    private final InetSocketAddress source;
    private final Supplier<Tls> tls;
    private Tls tlsRead;
    private Peer peer = new Peer.Unknown();
    private String authenticatedUser;
    private CallAdmission.Lease admission;

    /**
     * @param provider    the listener it came on (null in tests that route nothing)
     * @param transaction null for ACK, which has no transaction of its own
     * @param dialog      the dialog the stack matched it to, or null
     * @param tls         read on first use (certificates cost a look-up); {@link Tls#NONE} off TLS
     */
    public InboundRequest(Request request, SipProvider provider, ServerTransaction transaction, Dialog dialog,
            Transport transport, int localPort, InetSocketAddress source, Supplier<Tls> tls) {
        this.request = request;
        this.provider = provider;
        this.transaction = transaction;
        this.dialog = dialog;
        this.transport = transport;
        this.localPort = localPort;
        this.source = source;
        this.tls = tls;
    }

    /** The request jain-sip delivered, on the listener it came on. */
    public static InboundRequest of(RequestEvent event, ServerTransaction transaction) {
        SipProvider provider = (SipProvider) event.getSource();
        ListeningPoint point = provider.getListeningPoints()[0];
        Transport transport = Transport.valueOf(point.getTransport().toUpperCase(java.util.Locale.ROOT));
        SIPRequest request = (SIPRequest) event.getRequest();
        return new InboundRequest(request, provider, transaction, event.getDialog(), transport, point.getPort(),
                new InetSocketAddress(request.getRemoteAddress(), request.getRemotePort()),
                () -> transport == Transport.TLS ? tlsOf(transaction) : Tls.NONE);
    }

    /**
     * A request inside a dialog the stack holds, as {@link org.sipshield.proxy.screening.ScreeningValve}
     * sees it: before any transaction, so the TLS view comes from the connection itself.
     */
    public static InboundRequest screened(SIPRequest request, MessageChannel channel, Dialog dialog) {
        Transport transport = Transport.valueOf(channel.getTransport().toUpperCase(java.util.Locale.ROOT));
        return new InboundRequest(request, null, null, dialog, transport, channel.getPort(),
                new InetSocketAddress(request.getRemoteAddress(), request.getRemotePort()),
                () -> transport == Transport.TLS ? tlsOf(channel) : Tls.NONE);
    }

    /** jain-sip shows a connection's certificates and suite through a server transaction. */
    private static Tls tlsOf(ServerTransaction transaction) {
        if (!(transaction instanceof ServerTransactionExt stack)) {
            return Tls.NONE;
        }
        Certificate[] certificates;
        try {
            certificates = stack.getPeerCertificates();
        } catch (SSLPeerUnverifiedException | UnsupportedOperationException e) {
            certificates = null; // no client certificate on this connection
        }
        String suite;
        try {
            suite = stack.getCipherSuite();
        } catch (UnsupportedOperationException e) {
            suite = null;
        }
        return tls(certificates, suite);
    }

    /**
     * ...or, before a transaction exists, through the connection's handshake, read as jain-sip's
     * transactions read it: the blocking channel's handshake event, the NIO channel's listener.
     */
    private static Tls tlsOf(MessageChannel channel) {
        if (channel instanceof NioTlsMessageChannel nio) {
            HandshakeCompletedListenerImpl handshake = nio.getHandshakeCompletedListener();
            return handshake == null ? Tls.NONE : tls(handshake.getPeerCertificates(), handshake.getCipherSuite());
        }
        HandshakeCompletedListenerImpl listener = channel instanceof TLSMessageChannel blocking
                ? blocking.getHandshakeCompletedListener() : null;
        HandshakeCompletedEvent handshake = listener == null ? null : listener.getHandshakeCompletedEvent();
        if (handshake == null) {
            return Tls.NONE;
        }
        Certificate[] certificates;
        try {
            certificates = handshake.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            certificates = null; // no client certificate on this connection
        }
        return tls(certificates, handshake.getCipherSuite());
    }

    private static Tls tls(Certificate[] certificates, String suite) {
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate certificate : certificates == null ? new Certificate[0] : certificates) {
            if (certificate instanceof X509Certificate x509) {
                chain.add(x509);
            }
        }
        return new Tls(chain, suite);
    }

    public Request request() {
        return request;
    }

    public String method() {
        return request.getMethod();
    }

    public SipProvider provider() {
        return provider;
    }

    /** Null for ACK, which has no transaction of its own. */
    public ServerTransaction transaction() {
        return transaction;
    }

    /** The dialog the stack matched the request to, or null. */
    public Dialog dialog() {
        return dialog;
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
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    /** True when the request belongs to no dialog yet (no To tag). */
    public boolean isOutOfDialog() {
        return ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null;
    }

    /** The TLS peer's certificate chain, leaf first; empty on TCP/UDP, for an ACK, or when the peer sent none. */
    public List<X509Certificate> peerCertificates() {
        return tls().peerCertificates();
    }

    /** The negotiated TLS suite, or null on TCP/UDP (and for an ACK). */
    public String cipherSuite() {
        return tls().cipherSuite();
    }

    private Tls tls() {
        if (tlsRead == null) {
            tlsRead = tls.get();
        }
        return tlsRead;
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

    /**
     * The concurrent-call slot AdmissionControl took for this INVITE, or null, handed to whoever
     * takes it (the call that starts); the request handler gives back one nobody took.
     */
    public CallAdmission.Lease takeAdmission() {
        CallAdmission.Lease taken = admission;
        admission = null;
        return taken;
    }

    void admission(CallAdmission.Lease lease) {
        this.admission = lease;
    }

    @Override
    public String toString() {
        return method() + " from " + source.getAddress().getHostAddress() + ":" + source.getPort() + " over " + transport
                + " to port " + localPort + " (" + peer.describe() + ")";
    }
}
