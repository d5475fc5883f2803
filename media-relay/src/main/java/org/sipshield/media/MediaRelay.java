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
    /** Datagrams read per recvmmsg call. */
    static final int DATAGRAMS_PER_READ = 16;

    private final MediaRelayOptions options;
    private final MultiThreadIoEventLoopGroup group;
    private final PortAllocator ports;
    private final ExecutorService signalling;
    private final AtomicInteger active = new AtomicInteger();

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
        int portA = bindablePair();
        int portB;
        try {
            portB = bindablePair();
        } catch (MediaPortsExhaustedException e) {
            ports.release(portA);
            throw e;
        }
        RelaySession session = new RelaySession(this, label, loop, portA, portB, listener);
        RelayLeg a = session.leg(RelaySide.A);
        RelayLeg b = session.leg(RelaySide.B);
        try {
            a.rtpChannel = bind(loop, portA, new MediaForwarder(a, b, false));
            a.rtcpChannel = bind(loop, portA + 1, new MediaForwarder(a, b, true));
            b.rtpChannel = bind(loop, portB, new MediaForwarder(b, a, false));
            b.rtcpChannel = bind(loop, portB + 1, new MediaForwarder(b, a, true));
        } catch (RuntimeException e) {
            for (Channel c : new Channel[] {a.rtpChannel, a.rtcpChannel, b.rtpChannel, b.rtcpChannel}) {
                if (c != null) {
                    c.close().syncUninterruptibly();
                }
            }
            ports.release(portA);
            ports.release(portB);
            throw e;
        }
        active.incrementAndGet();
        return session;
    }

    /** A port pair, skipping pairs some other process holds (tried and given back to the end of the queue). */
    private int bindablePair() {
        for (int tries = ports.available(); tries > 0; tries--) {
            int p = ports.take();
            if (p < 0) {
                break;
            }
            if (isFree(p) && isFree(p + 1)) {
                return p;
            }
            ports.release(p);
        }
        throw new MediaPortsExhaustedException("no free media port pair in " + options.ports().min() + ".."
                + options.ports().max());
    }

    private boolean isFree(int port) {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(new InetSocketAddress(options.bindAddress(), port))) {
            return true;
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    private Channel bind(EventLoop loop, int port, MediaForwarder handler) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(DATAGRAM_SLOT * DATAGRAMS_PER_READ))
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM_SLOT)
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

    ExecutorService signallingExecutor() {
        return signalling;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        signalling.shutdownNow();
    }
}
