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
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The sockets jain-sip uses. jain-sip instantiates this class by name (stack property
 * gov.nist.javax.sip.NETWORK_LAYER), so the TLS side it needs is registered per stack name
 * beforehand: that keeps TLS on our Bouncy Castle context, with our protocols and suites,
 * instead of the JVM-wide keystore properties jain-sip would otherwise read.
 */
public final class SipNetworkLayer implements NetworkLayer {
    /** How the TLS sockets of one stack are made. */
    public interface TlsSockets {
        SSLContext context();

        /** Applies protocols, suites, their order and client-auth policy to a new server socket. */
        void configure(SSLServerSocket socket);

        /** Applies protocols and suites to a new outbound socket. */
        void configure(SSLSocket socket);
    }

    private static final Map<String, TlsSockets> TLS_BY_STACK = new ConcurrentHashMap<>();

    private volatile TlsSockets tls;

    public static void register(String stackName, TlsSockets tlsSockets) {
        TLS_BY_STACK.put(stackName, tlsSockets);
    }

    public static void unregister(String stackName) {
        TLS_BY_STACK.remove(stackName);
    }

    @Override
    public void setSipStack(SipStackImpl sipStack) {
        tls = TLS_BY_STACK.get(sipStack.getStackName());
    }

    private TlsSockets tls() throws IOException {
        TlsSockets current = tls;
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
        TlsSockets sockets = tls();
        SSLServerSocket socket = (SSLServerSocket) sockets.context().getServerSocketFactory().createServerSocket();
        socket.setReuseAddress(true);
        sockets.configure(socket);
        socket.bind(new InetSocketAddress(bindAddress, port), backlog);
        return socket;
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return createSSLSocket(address, port, null);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress myAddress) throws IOException {
        TlsSockets sockets = tls();
        SSLSocket socket = (SSLSocket) sockets.context().getSocketFactory().createSocket();
        sockets.configure(socket);
        if (myAddress != null) {
            socket.bind(new InetSocketAddress(myAddress, 0));
        }
        socket.connect(new InetSocketAddress(address, port));
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
