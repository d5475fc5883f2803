package org.sipshield.media;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media relay: anchors each call's RTP/RTCP on our own ports and forwards between its two
 * legs, re-keying SRTP per leg. Runs on Netty's native epoll transport (Linux only).
 *
 * <p>Knows nothing of SIP: signalling opens a {@link RelaySession} per call, tells it what each leg
 * agreed ({@link RelaySession#configure}), and closes it when the call ends.
 */
public final class MediaRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaRelay.class);
    /** Room per datagram: any UDP payload on an Ethernet path plus what SRTP protection appends. */
    static final int DATAGRAM_SLOT = 2048;
    /** Datagrams read per recvmmsg call (1: plain recvmsg); a tuning knob for measurements, not configuration. */
    static final boolean LEVEL_TRIGGERED = !Boolean.getBoolean("sipshield.media.edgeTriggered");
    static final int DATAGRAMS_PER_READ = Integer.getInteger("sipshield.media.datagramsPerRead", 4);

    private final MediaRelayOptions options;
    private final MultiThreadIoEventLoopGroup group;
    private final PortAllocator ports;
    private final ExecutorService signalling;
    private final AtomicInteger active = new AtomicInteger();
    private final java.util.Map<EventLoop, PacketBurst> bursts = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong silencesOnHold = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.util.function.Consumer<SessionReport> sessionEnded = report -> { };

    private MediaRelay(MediaRelayOptions options) {
        this.options = options;
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), EpollIoHandler.newFactory());
        this.ports = new PortAllocator(options.ports());
        this.signalling = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "media-timeouts");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @throws IllegalStateException if the native epoll transport is not available here
     */
    public static MediaRelay start(MediaRelayOptions options) {
        Objects.requireNonNull(options, "options");
        if (!io.netty.util.internal.PlatformDependent.hasUnsafe()) {
            throw new IllegalStateException("the media relay works on the packets' own memory and needs direct buffer addresses");
        }
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the media relay needs Netty's native epoll transport: " + Epoll.unavailabilityCause());
        }
        MediaRelay relay = new MediaRelay(options);
        LOG.info("media relay on {} ports {}..{}, media timeout {} s, latching {}, {} event loops", options.bindAddress()
                .getHostAddress(), options.ports().min(), options.ports().max(), options.mediaTimeout().toSeconds(),
                options.latching(), options.ioThreads());
        return relay;
    }

    public MediaRelayOptions options() {
        return options;
    }

    /** Sessions open now. */
    public int activeSessions() {
        return active.get();
    }

    /**
     * Who is told each session's final counters when it ends. Called on the session's event loop:
     * it must return quickly and never block.
     */
    public void onSessionEnded(java.util.function.Consumer<SessionReport> listener) {
        this.sessionEnded = Objects.requireNonNull(listener, "listener");
    }

    /** How many times a session on hold outlived the media timeout in silence (and was kept, as it should). */
    public long silencesToleratedOnHold() {
        return silencesOnHold.get();
    }

    void silenceToleratedOnHold() {
        silencesOnHold.incrementAndGet();
    }

    void ended(SessionReport report) {
        try {
            sessionEnded.accept(report);
        } catch (RuntimeException e) {
            LOG.warn("{}: the session-ended listener failed: {}", report.label(), e.toString());
        }
    }

    /** RTP+RTCP pairs still free. */
    public int freePortPairs() {
        return ports.available();
    }

    /**
     * Opens a session with ports for both legs, bound and listening.
     *
     * @param label    names the session in logs (e.g. "call 42"); never key material
     * @param listener told when media times out (the session is closed by then); may be null
     * @throws MediaPortsExhaustedException when no port pair is free for a leg
     */
    public RelaySession openSession(String label, MediaTimeoutListener listener) {
        EventLoop loop = group.next();
        RelaySession session = new RelaySession(this, label, loop, bursts.computeIfAbsent(loop, PacketBurst::new), listener);
        RelayLeg a = session.leg(RelaySide.A);
        RelayLeg b = session.leg(RelaySide.B);
        if (!bindLeg(session, a, b)) {
            throw new MediaPortsExhaustedException("no free media port pair in " + options.ports().min() + ".."
                    + options.ports().max());
        }
        if (!bindLeg(session, b, a)) {
            a.rtpChannel.close();
            a.rtcpChannel.close();
            ports.release(a.localRtpPort());
            throw new MediaPortsExhaustedException("no free media port pair in " + options.ports().min() + ".."
                    + options.ports().max());
        }
        active.incrementAndGet();
        return session;
    }

    /**
     * Takes port pairs until one binds: another process may hold ports of the range (a pair that
     * fails goes back to the end of the queue), a bounded number of times.
     */
    private boolean bindLeg(RelaySession session, RelayLeg leg, RelayLeg far) {
        for (int tries = 0; tries < 64; tries++) {
            int port = ports.take();
            if (port < 0) {
                return false;
            }
            Channel[] bound = bindPair(session.loop(), leg, far, port);
            if (bound != null) {
                leg.bound(port, bound[0], bound[1]);
                return true;
            }
            ports.release(port);
        }
        return false;
    }

    /** Binds RTP and RTCP for one leg, or closes what it bound and answers null. */
    private Channel[] bindPair(EventLoop loop, RelayLeg leg, RelayLeg far, int port) {
        Channel rtp = null;
        try {
            rtp = bind(loop, port, new MediaForwarder(leg, false));
            Channel rtcp = bind(loop, port + 1, new MediaForwarder(leg, true));
            return new Channel[] {rtp, rtcp};
        } catch (Exception e) { // Netty rethrows the native bind error (an IOException) unchecked
            if (rtp != null) {
                rtp.close().syncUninterruptibly();
            }
            LOG.debug("media port pair {} not bindable: {}", port, e.toString());
            return null;
        }
    }

    private Channel bind(EventLoop loop, int port, MediaForwarder handler) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(DATAGRAM_SLOT * DATAGRAMS_PER_READ))
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAMS_PER_READ > 1 ? DATAGRAM_SLOT : 0)
                // level-triggered: a read that did not fill the buffer ends the loop, no extra recvmmsg
                // just to meet EAGAIN (each socket carries one stream: usually one packet per wake-up)
                .option(EpollChannelOption.EPOLL_MODE, LEVEL_TRIGGERED ? io.netty.channel.epoll.EpollMode.LEVEL_TRIGGERED
                        : io.netty.channel.epoll.EpollMode.EDGE_TRIGGERED)
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .option(ChannelOption.MAX_MESSAGES_PER_READ, 32)
                .handler(handler);
        return bootstrap.bind(new InetSocketAddress(options.bindAddress(), port)).syncUninterruptibly().channel();
    }

    void released(RelaySession session) {
        active.decrementAndGet();
        int pa = session.leg(RelaySide.A).localRtpPort();
        int pb = session.leg(RelaySide.B).localRtpPort();
        session.leg(RelaySide.A).rtcpChannel.closeFuture().addListener(f -> ports.release(pa));
        session.leg(RelaySide.B).rtcpChannel.closeFuture().addListener(f -> ports.release(pb));
    }

    /** Outgoing datagrams its loops have ever made (each is reused after the kernel took it); for tests. */
    long outgoingDatagramsCreated() throws Exception {
        long created = 0;
        for (java.util.Map.Entry<EventLoop, PacketBurst> e : bursts.entrySet()) {
            created += e.getKey().submit(() -> e.getValue().datagrams().created()).get();
        }
        return created;
    }

    ExecutorService signallingExecutor() {
        return signalling;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        signalling.shutdownNow();
    }
}
