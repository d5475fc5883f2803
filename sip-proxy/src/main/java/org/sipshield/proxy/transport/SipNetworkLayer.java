package org.sipshield.proxy.transport;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.UdpReceiveQueues;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.sipshield.tls.AllowedPeerNames;
import org.sipshield.tls.PeerVerdict;
import org.sipshield.tls.TlsSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets jain-sip uses. jain-sip instantiates this class by name (stack property
 * gov.nist.javax.sip.NETWORK_LAYER), so the TLS side of each stack is registered under the stack
 * name beforehand: TLS then runs on our Bouncy Castle factory (protocols, suites in server order,
 * curves, trust store, client certificates) instead of the JVM-wide keystore properties jain-sip
 * would otherwise read. Outbound TLS connections are verified against the certificate names the
 * destination's trunk profile allows before jain-sip sends anything on them.
 */
public final class SipNetworkLayer implements NetworkLayer {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");
    private static final Logger LOG = LoggerFactory.getLogger(SipNetworkLayer.class);

    /** The TLS side of one stack: sockets asks for the factory in force at each new connection (reloads replace it). */
    public record Tls(Supplier<TlsSocketFactory> sockets, Function<InetSocketAddress, Optional<AllowedPeerNames>> namesOfDestination) {}

    private static final Map<String, Tls> TLS_BY_STACK = new ConcurrentHashMap<>();

    /** Who hears of each TLS handshake of a stack: "ok" with the negotiated suite, or "failed" with "none". */
    @FunctionalInterface
    public interface TlsHandshakes {
        void handshake(String result, String suite);
    }

    private static final Map<String, TlsHandshakes> HANDSHAKES_BY_STACK = new ConcurrentHashMap<>();

    private volatile Tls tls;
    private volatile TlsHandshakes handshakes = (result, suite) -> { };

    public static void register(String stackName, Tls tls) {
        TLS_BY_STACK.put(stackName, tls);
    }

    public static void unregister(String stackName) {
        TLS_BY_STACK.remove(stackName);
        HANDSHAKES_BY_STACK.remove(stackName);
    }

    /** Before the stack is created, as {@link #register}: its handshakes are told to observer. */
    public static void observeHandshakes(String stackName, TlsHandshakes observer) {
        HANDSHAKES_BY_STACK.put(stackName, observer);
    }

    /**
     * jain-sip reported a handshake that failed on one of its connections (JainSipLogger hears it).
     * Its logger is static, so the stack is not known: every stack's observer hears it (one stack
     * per process outside tests).
     */
    static void handshakeFailed() {
        HANDSHAKES_BY_STACK.values().forEach(observer -> observer.handshake("failed", "none"));
    }

    @Override
    public void setSipStack(SipStackImpl sipStack) {
        tls = TLS_BY_STACK.get(sipStack.getStackName());
        handshakes = HANDSHAKES_BY_STACK.getOrDefault(sipStack.getStackName(), handshakes);
    }

    private javax.net.ssl.HandshakeCompletedListener completed() {
        TlsHandshakes observer = handshakes;
        return event -> observer.handshake("ok", event.getCipherSuite());
    }

    private Tls tls() throws IOException {
        Tls current = tls;
        if (current == null) {
            throw new IOException("no TLS identity is registered for this SIP stack");
        }
        return current;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(bindAddress, port), backlog);
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return new Socket(address, port);
    }

    @Override
    public DatagramSocket createDatagramSocket() throws java.net.SocketException {
        return new DatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress bindAddress) throws java.net.SocketException {
        return new ListeningDatagramSocket(port, bindAddress);
    }

    /**
     * Bounds what each UDP listener of {@code stack} lets wait for jain-sip's worker threads (call
     * once its listening points exist): beyond {@link #MAX_WAITING_DATAGRAMS}, a datagram is read
     * and dropped, as the kernel drops what overflows the socket buffer, so that a flood costs
     * neither unbounded heap nor unbounded delay for everyone behind it.
     */
    public static void boundUdpBacklogs(javax.sip.SipStack stack) {
        UdpReceiveQueues.forEach((gov.nist.javax.sip.stack.SIPTransactionStack) stack, (socket, waiting) -> {
            if (socket instanceof ListeningDatagramSocket listening) {
                listening.waiting = waiting;
            }
        });
    }

    /** At the proxy's pace (a few thousand requests a second on two cores) about a second of work. */
    static final int MAX_WAITING_DATAGRAMS = 5_000;

    /**
     * A UDP listener's socket. jain-sip receives every datagram into a new buffer of the largest
     * message size (64 KB) and queues it for its worker threads without bound: while they lagged,
     * each queued datagram held 64 KB however small it was, and a flood of small packets from anyone
     * filled the heap before the per-source limiter (which runs after the queue) saw them. Here a
     * datagram keeps only its own bytes, and what finds the queue full is dropped. It also says when
     * the kernel granted less buffer than jain-sip asked for.
     */
    private static final class ListeningDatagramSocket extends DatagramSocket {
        private static final long DROP_REPORT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        /** Set once the listening point exists; read by the one thread that receives. */
        private volatile java.util.function.IntSupplier waiting;
        private long dropped;
        private long lastDropReport;

        ListeningDatagramSocket(int port, InetAddress bindAddress) throws java.net.SocketException {
            super(port, bindAddress);
        }

        @Override
        public void receive(java.net.DatagramPacket packet) throws IOException {
            while (true) {
                super.receive(packet);
                java.util.function.IntSupplier queue = waiting;
                if (queue == null || queue.getAsInt() < MAX_WAITING_DATAGRAMS) {
                    break;
                }
                dropped(); // jain-sip's receive buffer is the packet's: reading again reuses it
            }
            packet.setData(java.util.Arrays.copyOfRange(packet.getData(), packet.getOffset(),
                    packet.getOffset() + packet.getLength()));
        }

        private void dropped() {
            dropped++;
            long now = System.nanoTime();
            if (lastDropReport == 0 || now - lastDropReport >= DROP_REPORT_NANOS) {
                LOG.warn("UDP listener {}: overloaded, {} datagram(s) dropped since the last report (one at most every 10 s):"
                        + " {} already wait to be handled",
                        getLocalSocketAddress(), dropped, MAX_WAITING_DATAGRAMS);
                dropped = 0;
                lastDropReport = now;
            }
        }

        @Override
        public void setReceiveBufferSize(int size) throws java.net.SocketException {
            super.setReceiveBufferSize(size);
            int granted = getReceiveBufferSize();
            if (granted < size) {
                LOG.info("UDP listener {}: socket receive buffer {} bytes, asked for {}; a burst beyond it is dropped by the"
                        + " kernel: raise net.core.rmem_max (docs/operations.md)", getLocalSocketAddress(), granted, size);
            }
        }
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        SSLServerSocket socket = TlsSocketFactory.createUnboundServerSocket(tls().sockets());
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(bindAddress, port), backlog);
        return new ObservedSslServerSocket(socket, completed());
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return createSSLSocket(address, port, null);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
        Tls current = tls();
        TlsSocketFactory sockets = current.sockets().get();
        SSLSocket socket = sockets.createSocket();
        if (myAddress != null) {
            socket.bind(new InetSocketAddress(myAddress, 0));
        }
        InetSocketAddress destination = new InetSocketAddress(address, port);
        socket.connect(destination, 5000);
        socket.addHandshakeCompletedListener(completed());
        Optional<AllowedPeerNames> allowed = current.namesOfDestination().apply(destination);
        if (allowed.isPresent()) {
            try {
                socket.startHandshake();
            } catch (IOException e) {
                // counted here: jain-sip reports this one as a failed connection, not a failed handshake
                handshakes.handshake("failed", "none");
                socket.close();
                throw new IOException("TLS handshake with " + destination + " failed: " + e.getMessage(), e);
            }
            PeerVerdict verdict = sockets.verifyPeer(socket, allowed.get());
            if (!verdict.accepted()) {
                SECURITY.warn(verdict.securityEvent(address.getHostAddress()));
                socket.close();
                throw new IOException("TLS peer " + destination + " refused: not a name of its trunk");
            }
        }
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
        Socket socket = new Socket();
        if (myAddress != null) {
            socket.bind(new InetSocketAddress(myAddress, 0));
        }
        socket.connect(new InetSocketAddress(address, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress myAddress, int myPort) throws IOException {
        Socket socket = new Socket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(myAddress, myPort));
        socket.connect(new InetSocketAddress(address, port));
        return socket;
    }
}
