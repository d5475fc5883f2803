package org.sipshield.proxy.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.List;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * An outgoing TLS connection whose handshake we made and whose peer we checked (the trunk's
 * certificate names) before handing it to jain-sip. jain-sip then sets its own protocol and cipher
 * lists (the stack's defaults, not the operator's policy) and starts the handshake again, which
 * Bouncy Castle refuses ("renegotiation not supported"): no request ever reached a TLS trunk. Here
 * the policy the connection was made with stays, and jain-sip's handshake only tells the listeners
 * it added that the handshake completed (it reads the peer's certificates from that event, and a
 * watchdog it starts just before closes a connection whose handshake it never sees complete).
 * Everything else is the connection's own.
 */
final class HandshakenTlsSocket extends SSLSocket {
    private final SSLSocket connection;
    private final List<HandshakeCompletedListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    HandshakenTlsSocket(SSLSocket connection) {
        this.connection = connection;
    }

    @Override
    public void startHandshake() {
        // done before jain-sip had the socket: its listeners learn it now
        HandshakeCompletedEvent completed = new HandshakeCompletedEvent(this, connection.getSession());
        for (HandshakeCompletedListener listener : listeners) {
            listener.handshakeCompleted(completed);
        }
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        // the operator's policy, set when the connection was made, stays
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        // the operator's policy, set when the connection was made, stays
    }

    @Override
    public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
        listeners.remove(listener);
    }

    @Override public String[] getSupportedCipherSuites() { return connection.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return connection.getEnabledCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return connection.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return connection.getEnabledProtocols(); }
    @Override public SSLSession getSession() { return connection.getSession(); }
    @Override public SSLSession getHandshakeSession() { return connection.getHandshakeSession(); }
    @Override public void setUseClientMode(boolean mode) { connection.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return connection.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { connection.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return connection.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { connection.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return connection.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { connection.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return connection.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return connection.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters parameters) { /* the policy stays, as above */ }
    @Override public String getApplicationProtocol() { return connection.getApplicationProtocol(); }
    @Override public String getHandshakeApplicationProtocol() { return connection.getHandshakeApplicationProtocol(); }
    @Override public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return connection.getHandshakeApplicationProtocolSelector();
    }

    @Override public void connect(SocketAddress endpoint) throws IOException { connection.connect(endpoint); }
    @Override public void connect(SocketAddress endpoint, int timeout) throws IOException { connection.connect(endpoint, timeout); }
    @Override public void bind(SocketAddress bindpoint) throws IOException { connection.bind(bindpoint); }
    @Override public InetAddress getInetAddress() { return connection.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return connection.getLocalAddress(); }
    @Override public int getPort() { return connection.getPort(); }
    @Override public int getLocalPort() { return connection.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return connection.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return connection.getLocalSocketAddress(); }
    @Override public SocketChannel getChannel() { return connection.getChannel(); }
    @Override public InputStream getInputStream() throws IOException { return connection.getInputStream(); }
    @Override public OutputStream getOutputStream() throws IOException { return connection.getOutputStream(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { connection.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return connection.getTcpNoDelay(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { connection.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return connection.getSoLinger(); }
    @Override public void sendUrgentData(int data) throws IOException { connection.sendUrgentData(data); }
    @Override public void setOOBInline(boolean on) throws SocketException { connection.setOOBInline(on); }
    @Override public boolean getOOBInline() throws SocketException { return connection.getOOBInline(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { connection.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return connection.getSoTimeout(); }
    @Override public void setSendBufferSize(int size) throws SocketException { connection.setSendBufferSize(size); }
    @Override public int getSendBufferSize() throws SocketException { return connection.getSendBufferSize(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { connection.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return connection.getReceiveBufferSize(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { connection.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return connection.getKeepAlive(); }
    @Override public void setTrafficClass(int tc) throws SocketException { connection.setTrafficClass(tc); }
    @Override public int getTrafficClass() throws SocketException { return connection.getTrafficClass(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { connection.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return connection.getReuseAddress(); }
    @Override public void close() throws IOException { connection.close(); }
    @Override public void shutdownInput() throws IOException { connection.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { connection.shutdownOutput(); }
    @Override public String toString() { return connection.toString(); }
    @Override public boolean isConnected() { return connection.isConnected(); }
    @Override public boolean isBound() { return connection.isBound(); }
    @Override public boolean isClosed() { return connection.isClosed(); }
    @Override public boolean isInputShutdown() { return connection.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return connection.isOutputShutdown(); }
    @Override public void setPerformancePreferences(int time, int latency, int bandwidth) {
        connection.setPerformancePreferences(time, latency, bandwidth);
    }
    @Override public <T> java.net.Socket setOption(SocketOption<T> name, T value) throws IOException {
        connection.setOption(name, value);
        return this;
    }
    @Override public <T> T getOption(SocketOption<T> name) throws IOException { return connection.getOption(name); }
    @Override public Set<SocketOption<?>> supportedOptions() { return connection.supportedOptions(); }
}
