package org.sipshield.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** A listener on a factory's server socket: handshakes every client, records the outcome, answers one line. */
final class TestTlsServer implements AutoCloseable {
    /** What the server saw of one connection: the session, or the handshake's failure. */
    record Outcome(SSLSession session, Exception failure, SSLSocket socket, java.util.List<java.security.cert.X509Certificate> peerChain) {
        boolean succeeded() {
            return session != null;
        }
    }

    final SSLServerSocket serverSocket;
    final TlsSocketFactory factory;
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    TestTlsServer(TlsSocketFactory factory) throws IOException {
        this.factory = factory;
        this.serverSocket = factory.createServerSocket(InetAddress.getLoopbackAddress(), 0, 10);
        this.acceptor = new Thread(this::acceptLoop, "test-tls-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            SSLSocket socket;
            try {
                socket = (SSLSocket) serverSocket.accept();
            } catch (IOException e) {
                return;
            }
            Thread handler = new Thread(() -> handle(socket), "test-tls-connection");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void handle(SSLSocket socket) {
        try (socket) {
            try {
                socket.setSoTimeout(20_000);
                socket.startHandshake();
            } catch (IOException e) {
                outcomes.add(new Outcome(null, e, socket, java.util.List.of()));
                return;
            }
            // Read while the connection is open: that is when the proxy verifies a peer.
            java.util.List<java.security.cert.X509Certificate> chain = new java.util.ArrayList<>();
            try {
                for (java.security.cert.Certificate certificate : socket.getSession().getPeerCertificates()) {
                    chain.add((java.security.cert.X509Certificate) certificate);
                }
            } catch (javax.net.ssl.SSLPeerUnverifiedException noClientCertificate) {
                // An empty chain says it.
            }
            outcomes.add(new Outcome(socket.getSession(), null, socket, chain));
            try {
                socket.getOutputStream().write("sipshield\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                // Let the client read and close first (s_client waits for the server's answer).
                socket.getInputStream().read();
            } catch (IOException clientWentAway) {
                // After a completed handshake that is the client's business.
            }
        } catch (IOException closing) {
            // Closing a socket the client already dropped.
        }
    }

    /** The next connection's outcome; fails the test if none arrives in time. */
    Outcome next() throws InterruptedException {
        Outcome outcome = outcomes.poll(30, TimeUnit.SECONDS);
        if (outcome == null) {
            throw new AssertionError("no TLS connection reached the server");
        }
        return outcome;
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
