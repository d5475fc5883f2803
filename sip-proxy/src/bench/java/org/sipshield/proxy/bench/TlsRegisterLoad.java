package org.sipshield.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.sipshield.tls.CertificateFiles;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.IdentityStore;
import org.sipshield.tls.ServerIdentity;

/**
 * TLS REGISTER load for bench/signaling.sh (not a test; never in `mvn test` nor in sipshield.jar):
 * N phones, each on its own TLS connection with its own client certificate (CN = its device name
 * BENCH<number>, issued at start from the bench CA), register with digest at an overall rate,
 * each phone re-registering on its connection. All N connections are open before the step
 * starts; the lines STEP-START and STEP-END frame the step so the script measures the proxy's CPU
 * over the registrations only, not over the handshakes. Exits 0 only if every registration ended
 * in 200 and every connection opened.
 */
public final class TlsRegisterLoad {
    private static final String USAGE = """
            usage: TlsRegisterLoad ca CA_DIR
                     the bench CA (CA_DIR/certs/sip.crt.pem, sip.key.pem), created unless there
                   TlsRegisterLoad phone-cert CA_DIR DEVICE OUT_DIR
                     one phone's key and certificate chain (OUT_DIR/certs/sip.{key,crt}.pem), e.g. for stunnel
                   TlsRegisterLoad run --ca CA_DIR --target ADDR:PORT --local ADDR --first NUMBER --phones N
                                   --rate R --seconds S [--trust PEM] [--threads 2] [--timeout-ms 8000]
                     phones NUMBER.. (device BENCH<number>, password pw<number>) register at R/s for S s;
                     --trust: the proxy's certificate (without it the proxy's certificate is not checked)""";
    /** Handshakes in flight while connecting: enough to open a thousand in seconds, few enough not to swamp the proxy. */
    private static final int CONNECTING_AT_ONCE = 8;

    private TlsRegisterLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("ca")) {
            BenchPki.loadOrCreate(Path.of(args[1]));
            System.out.println(new IdentityStore(Path.of(args[1])).certificateFile(CertificatePurpose.SIP));
        } else if (args.length == 4 && args[0].equals("phone-cert")) {
            ServerIdentity phone = BenchPki.loadOrCreate(Path.of(args[1])).issue(args[2]);
            new IdentityStore(Path.of(args[3])).store(CertificatePurpose.SIP, phone);
        } else if (args.length > 0 && args[0].equals("run")) {
            System.exit(run(options(args)));
        } else {
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>(Map.of("--threads", "2", "--timeout-ms", "8000"));
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("bad option " + args[i] + "\n" + USAGE);
            }
            options.put(args[i], args[i + 1]);
        }
        for (String required : List.of("--ca", "--target", "--local", "--first", "--phones", "--rate", "--seconds")) {
            if (!options.containsKey(required)) {
                throw new IllegalArgumentException("missing " + required + "\n" + USAGE);
            }
        }
        return options;
    }

    private static int run(Map<String, String> o) throws Exception {
        String target = o.get("--target");
        int colon = target.lastIndexOf(':');
        InetSocketAddress remote = new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
        int first = Integer.parseInt(o.get("--first"));
        int count = Integer.parseInt(o.get("--phones"));
        int rate = Integer.parseInt(o.get("--rate"));
        int seconds = Integer.parseInt(o.get("--seconds"));
        long timeoutMillis = Long.parseLong(o.get("--timeout-ms"));
        long registrations = (long) rate * seconds;
        if (count < 1 || rate < 1 || seconds < 1 || registrations > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--phones, --rate and --seconds must be positive");
        }
        X509Certificate[] trusted = o.containsKey("--trust")
                ? CertificateFiles.read(Files.readAllBytes(Path.of(o.get("--trust")))).toArray(new X509Certificate[0]) : null;
        BenchPki pki = BenchPki.loadOrCreate(Path.of(o.get("--ca")));
        SecureRandom random = new SecureRandom();
        LoadStats stats = new LoadStats((int) registrations);

        long began = System.nanoTime();
        List<TlsPhone> phones = new ArrayList<>(count);
        PhoneKeyManager keys = new PhoneKeyManager();
        for (int i = 0; i < count; i++) {
            String number = String.valueOf(first + i);
            keys.add("BENCH" + number, pki.issue("BENCH" + number));
            phones.add(new TlsPhone(number, "pw" + number, target, stats, timeoutMillis, random));
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {keys}, trustManagers(trusted), random);
        System.out.printf(Locale.ROOT, "%d phones with their certificates in %.1f s%n", count, (System.nanoTime() - began) / 1e9);

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Integer.parseInt(o.get("--threads")), NioIoHandler.newFactory());
        List<Channel> channels = new ArrayList<>(count);
        try {
            String failure = connectAll(group, remote, new InetSocketAddress(o.get("--local"), 0), phones, context, keys, channels);
            if (failure != null) {
                System.out.println("STEP-START");
                System.out.println("STEP-END");
                System.out.println(stats.resultLine(registrations) + " connect_failed=" + failure);
                return 1;
            }
            long open = channels.stream().filter(Channel::isActive).count();
            SSLSession session = channels.stream().filter(Channel::isActive).findFirst()
                    .map(c -> c.pipeline().get(SslHandler.class).engine().getSession()).orElse(null);
            System.out.printf(Locale.ROOT, "%d TLS connections made, %d still open, in %.1f s (%s)%n", count, open,
                    (System.nanoTime() - began) / 1e9, session == null ? "-" : session.getProtocol() + ", " + session.getCipherSuite());
            System.out.println("STEP-START");
            System.out.flush();
            long start = System.nanoTime();
            for (long k = 0; k < registrations; k++) {
                long wait = start + k * 1_000_000_000L / rate - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                phones.get((int) (k % count)).register();
            }
            double scheduleLag = (System.nanoTime() - start) / 1e9 - seconds;
            // every registration ends, answered or timed out; a phone's waiting ones may each wait out two timeouts
            long deadline = System.nanoTime() + 2 * TimeUnit.MILLISECONDS.toNanos(timeoutMillis) * (registrations / count + 2);
            while (stats.ended() < registrations && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.println("STEP-END");
            System.out.printf(Locale.ROOT, "%s schedule_lag_s=%.2f%n", stats.resultLine(registrations), scheduleLag);
            return stats.ok() == registrations && stats.connectionErrors() == 0 ? 0 : 1;
        } finally {
            stats.stop();
            for (Channel channel : channels) {
                channel.close();
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS);
        }
    }

    /** Trusting exactly the given certificates (the proxy's own), or, without --trust, any. */
    private static TrustManager[] trustManagers(X509Certificate[] trusted) throws GeneralSecurityException, IOException {
        if (trusted == null) {
            return InsecureTrustManagerFactory.INSTANCE.getTrustManagers();
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < trusted.length; i++) {
            store.setCertificateEntry("proxy" + i, trusted[i]);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    /**
     * Opens every phone's connection (handshake done); null, or why some did not open. sipshield
     * (jain-sip) drops a TLS connection whose handshake it has not finished within its
     * SSL_HANDSHAKE_TIMEOUT, silently, after the client saw TLS 1.3's handshake finish: on a busy
     * machine a few of a thousand go that way. Those are opened again (at most twice, said on
     * stderr), since connecting is not what the step measures.
     */
    private static String connectAll(EventLoopGroup group, InetSocketAddress remote, InetSocketAddress local,
            List<TlsPhone> phones, SSLContext context, PhoneKeyManager keys, List<Channel> channels) throws InterruptedException {
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        Channel[] opened = new Channel[phones.size()];
        List<Integer> round = new ArrayList<>();
        for (int i = 0; i < phones.size(); i++) {
            round.add(i);
        }
        for (int attempt = 0; attempt < 3 && !round.isEmpty() && failures.isEmpty(); attempt++) {
            if (attempt > 0) {
                System.err.printf("%d connection(s) closed by the proxy after their handshake: opening them again%n", round.size());
            }
            Semaphore inFlight = new Semaphore(CONNECTING_AT_ONCE);
            List<Future<Channel>> handshakes = new ArrayList<>();
            for (int i : round) {
                inFlight.acquire();
                Future<Channel> handshake = connect(group, remote, local, phones.get(i), context, keys);
                handshakes.add(handshake);
                handshake.addListener(h -> {
                    inFlight.release();
                    if (!h.isSuccess()) {
                        failures.merge(h.cause().getClass().getSimpleName() + ":" + h.cause().getMessage(), 1, Integer::sum);
                    }
                });
            }
            for (int k = 0; k < round.size(); k++) {
                Future<Channel> handshake = handshakes.get(k);
                if (!handshake.await(60, TimeUnit.SECONDS)) {
                    failures.merge("handshake-not-done-in-60s", 1, Integer::sum);
                } else if (handshake.isSuccess()) {
                    opened[round.get(k)] = handshake.getNow();
                }
            }
            Thread.sleep(1000);   // the proxy's side of the last handshakes
            List<Integer> closed = new ArrayList<>();
            for (int i : round) {
                if (opened[i] != null && !opened[i].isActive()) {
                    closed.add(i);
                }
            }
            round = closed;
        }
        if (!round.isEmpty()) {
            failures.merge("closed-by-the-proxy-three-times", round.size(), Integer::sum);
        }
        for (Channel channel : opened) {
            if (channel != null) {
                channels.add(channel);
            }
        }
        return failures.isEmpty() ? null : failures.toString().replace(' ', '_');
    }

    /** One phone's connection: its own engine, which presents its certificate. */
    private static Future<Channel> connect(EventLoopGroup group, InetSocketAddress remote, InetSocketAddress local,
            TlsPhone phone, SSLContext context, PhoneKeyManager keys) {
        // no host name check (the proxies' certificates name no 127.0.77.x address): --trust pins the certificate
        SSLEngine engine = context.createSSLEngine(remote.getHostString(), remote.getPort());
        engine.setUseClientMode(true);
        keys.bind(engine, phone.deviceName());
        ChannelFuture connect = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SslHandler(engine), new SipStreamFramer(), phone);
                    }
                }).connect(remote, local);
        Promise<Channel> handshake = group.next().newPromise();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                handshake.tryFailure(f.cause());
                return;
            }
            connect.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    handshake.trySuccess(connect.channel());
                } else {
                    handshake.tryFailure(h.cause());
                }
            });
        });
        return handshake;
    }
}
