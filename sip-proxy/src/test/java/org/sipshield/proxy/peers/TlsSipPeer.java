package org.sipshield.proxy.peers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A SIP peer on one TLS connection to the proxy (Debian's sipp has no TLS): it sends what the test
 * writes and reads whatever arrives on the connection, the proxy's own requests included (the
 * proxy reaches a phone over the connection it registered on). Presents a client certificate when
 * given one; trusts any server certificate (the proxy's identity is another test's concern).
 */
public final class TlsSipPeer implements AutoCloseable {
    private final SSLSocket socket;
    private final InputStream in;

    /** certificate: {cert.pem, key.pem} as {@link TestCertificates#issue} makes them, or null for none. */
    public TlsSipPeer(String localIp, int proxyPort, Path[] certificate) throws Exception {
        this(localIp, "127.0.0.1", proxyPort, certificate);
    }

    /** A peer of a proxy listening on another loopback address (a node of a cluster). */
    public TlsSipPeer(String localIp, String proxyAddress, int proxyPort, Path[] certificate) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(certificate == null ? null : keyManagers(certificate), new TrustManager[] {new TrustAnyServer()},
                new SecureRandom());
        socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
        socket.connect(new InetSocketAddress(proxyAddress, proxyPort), 5000);
        // a bound, not a measure: a proxy's first handshake on a loaded 2-core machine took over 5 s
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
    }

    public String localIp() {
        return socket.getLocalAddress().getHostAddress();
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public String cipherSuite() {
        return socket.getSession().getCipherSuite();
    }

    /** The certificate the proxy presented in this connection's handshake. */
    public X509Certificate peerCertificate() throws javax.net.ssl.SSLPeerUnverifiedException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    public void send(String message) throws IOException {
        socket.getOutputStream().write(message.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** The next SIP message on the connection; "(no answer within 5 s)" when none came. */
    public String receive() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return "(connection closed)";
                }
                if (head.size() == 0 && (b == '\r' || b == '\n')) {
                    continue; // keepalive CRLFs between messages
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : headers.split("\r\n")) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:") || lower.startsWith("l:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return headers + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return "(no answer within 5 s)";
        }
    }

    /** The next message that is not a provisional response. */
    public String receiveFinal() throws IOException {
        while (true) {
            String message = receive();
            if (!message.matches("(?s)SIP/2\\.0 1\\d\\d .*")) {
                return message;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static javax.net.ssl.KeyManager[] keyManagers(Path[] certificate) throws Exception {
        X509Certificate cert;
        try (InputStream pem = Files.newInputStream(certificate[0])) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
        }
        String keyPem = Files.readString(certificate[1]).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(keyPem)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("peer", key, new char[0], new Certificate[] {cert});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, new char[0]);
        return factory.getKeyManagers();
    }

    /** Tests judge the proxy's behaviour towards this peer, not its certificate. */
    private static final class TrustAnyServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
