package org.sipshield.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A Bouncy Castle server socket whose accepted sockets get the full policy before their
 * handshake starts. Needed because JDK 17's SSLParameters cannot carry named groups, and BCJSSE
 * takes them only per socket (BCSSLParameters); everything else is delegated unchanged.
 */
final class ConfiguredSslServerSocket extends SSLServerSocket {
    private final SSLServerSocket delegate;
    private final TlsSocketFactory factory;

    ConfiguredSslServerSocket(SSLServerSocket delegate, TlsSocketFactory factory) throws IOException {
        this.delegate = delegate;
        this.factory = factory;
    }

    @Override
    public Socket accept() throws IOException {
        SSLSocket socket = (SSLSocket) delegate.accept();
        try {
            factory.configureServerSide(socket);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
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

    @Override public String[] getEnabledCipherSuites() { return delegate.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { delegate.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedCipherSuites() { return delegate.getSupportedCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return delegate.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return delegate.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { delegate.setEnabledProtocols(protocols); }
    @Override public void setNeedClientAuth(boolean need) { delegate.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return delegate.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { delegate.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return delegate.getWantClientAuth(); }
    @Override public void setUseClientMode(boolean mode) { delegate.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return delegate.getUseClientMode(); }
    @Override public void setEnableSessionCreation(boolean flag) { delegate.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return delegate.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return delegate.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters parameters) { delegate.setSSLParameters(parameters); }
}
