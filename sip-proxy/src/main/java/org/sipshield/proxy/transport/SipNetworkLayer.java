package org.sipshield.proxy.transport;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
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

    /** The TLS side of one stack: sockets asks for the factory in force at each new connection (reloads replace it). */
    public record Tls(Supplier<TlsSocketFactory> sockets, Function<InetSocketAddress, Optional<AllowedPeerNames>> namesOfDestination) {}

    private static final Map<String, Tls> TLS_BY_STACK = new ConcurrentHashMap<>();

    private volatile Tls tls;

    public static void register(String stackName, Tls tls) {
        TLS_BY_STACK.put(stackName, tls);
    }

    public static void unregister(String stackName) {
        TLS_BY_STACK.remove(stackName);
    }

    @Override
    public void setSipStack(SipStackImpl sipStack) {
        tls = TLS_BY_STACK.get(sipStack.getStackName());
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
        return new DatagramSocket(port, bindAddress);
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        SSLServerSocket socket = TlsSocketFactory.createUnboundServerSocket(tls().sockets());
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(bindAddress, port), backlog);
        return socket;
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
        Optional<AllowedPeerNames> allowed = current.namesOfDestination().apply(destination);
        if (allowed.isPresent()) {
            socket.startHandshake();
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
