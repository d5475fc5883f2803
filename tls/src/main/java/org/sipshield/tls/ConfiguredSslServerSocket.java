package org.sipshield.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A listening socket that accepts plain TCP and layers TLS over each accepted connection with the
 * factory in force at that moment, configured in full before its handshake. So a reload (a new
 * policy, a new certificate) reaches the next handshake while connections already up keep the
 * session they made; and JDK 17's SSLParameters cannot carry named groups, which BCJSSE takes only
 * per socket. What callers set on this socket (jain-sip sets client auth, protocols and suites on
 * it) is ignored: the factory's policy decides; the getters tell that policy.
 */
final class ConfiguredSslServerSocket extends SSLServerSocket {
    private final ServerSocket delegate;
    private final Supplier<TlsSocketFactory> current;

    ConfiguredSslServerSocket(ServerSocket delegate, Supplier<TlsSocketFactory> current) throws IOException {
        this.delegate = delegate;
        this.current = current;
    }

    @Override
    public Socket accept() throws IOException {
        Socket plain = delegate.accept();
        try {
            TlsSocketFactory factory = current.get();
            SSLSocket socket = (SSLSocket) factory.sslContext().getSocketFactory().createSocket(plain,
                    plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            factory.configureServerSide(socket);
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    @Override public void bind(SocketAddress endpoint) throws IOException { delegate.bind(endpoint); }
    @Override public void bind(SocketAddress endpoint, int backlog) throws IOException { delegate.bind(endpoint, backlog); }
    @Override public InetAddress getInetAddress() { return delegate.getInetAddress(); }
    @Override public int getLocalPort() { return delegate.getLocalPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return delegate.getLocalSocketAddress(); }
    @Override public void close() throws IOException { delegate.close(); }
    @Override public ServerSocketChannel getChannel() { return delegate.getChannel(); }
    @Override public boolean isBound() { return delegate.isBound(); }
    @Override public boolean isClosed() { return delegate.isClosed(); }
    @Override public synchronized void setSoTimeout(int timeout) throws SocketException { delegate.setSoTimeout(timeout); }
    @Override public synchronized int getSoTimeout() throws IOException { return delegate.getSoTimeout(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { delegate.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return delegate.getReuseAddress(); }
    @Override public synchronized void setReceiveBufferSize(int size) throws SocketException { delegate.setReceiveBufferSize(size); }
    @Override public synchronized int getReceiveBufferSize() throws SocketException { return delegate.getReceiveBufferSize(); }
    @Override public String toString() { return "sipshield TLS " + delegate; }

    @Override public String[] getEnabledCipherSuites() { return current.get().settings().cipherSuiteNames(); }
    @Override public void setEnabledCipherSuites(String[] suites) { }
    @Override public String[] getSupportedCipherSuites() { return getEnabledCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return getEnabledProtocols(); }
    @Override public String[] getEnabledProtocols() { return current.get().settings().protocolNames(); }
    @Override public void setEnabledProtocols(String[] protocols) { }
    @Override public void setNeedClientAuth(boolean need) { }
    @Override public boolean getNeedClientAuth() { return current.get().clientAuth() == ClientAuth.NEED; }
    @Override public void setWantClientAuth(boolean want) { }
    @Override public boolean getWantClientAuth() { return current.get().clientAuth() == ClientAuth.WANT; }
    @Override public void setUseClientMode(boolean mode) { }
    @Override public boolean getUseClientMode() { return false; }
    @Override public void setEnableSessionCreation(boolean flag) { }
    @Override public boolean getEnableSessionCreation() { return true; }
    @Override public SSLParameters getSSLParameters() { return new SSLParameters(getEnabledCipherSuites(), getEnabledProtocols()); }
    @Override public void setSSLParameters(SSLParameters parameters) { }
}
