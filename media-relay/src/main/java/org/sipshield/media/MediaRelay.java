package org.sipshield.media;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.sipshield.jni.LoopWatchdog;
import org.sipshield.jni.UdpNative;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media relay: anchors each call's RTP/RTCP on our own ports and forwards between its two
 * legs, re-keying SRTP per leg. Runs on Netty's native epoll event loops (Linux only), with its
 * own sockets registered on them as file descriptors and read and written in batches by the native
 * library (recvmmsg / sendmmsg into fixed slots of direct memory: nothing allocated per packet).
 *
 * <p>Knows nothing of SIP: signalling opens a {@link RelaySession} per call, tells it what each leg
 * agreed ({@link RelaySession#configure}), and closes it when the call ends.
 */
public final class MediaRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaRelay.class);
    /** Room per datagram: any UDP payload on an Ethernet path plus what SRTP protection appends. */
    static final int DATAGRAM_SLOT = 2048;
    /** Datagrams read per recvmmsg call; a tuning knob for measurements, not configuration. */
    static final int DATAGRAMS_PER_READ = Integer.getInteger("sipshield.media.datagramsPerRead", 8);
    /**
     * Whether the event loops send each burst through their thread's io_uring (one system call for all
     * its sockets) when the kernel allows it; else, and where it does not, one sendmmsg per socket. A
     * switch for measurements side by side, not configuration.
     */
    static final boolean SEND_THROUGH_IO_URING = Boolean.parseBoolean(System.getProperty("sipshield.media.ioUring", "true"));
    /**
     * Whether the event loops receive through their thread's receive ring (io_uring, a multishot
     * recvmsg armed on every socket) when the kernel allows it; else epoll and one recvmmsg per ready
     * socket. Off with sipshield.media.ioUring=false too. A switch for measurements side by side.
     */
    static final boolean RECEIVE_THROUGH_IO_URING = SEND_THROUGH_IO_URING
            && Boolean.parseBoolean(System.getProperty("sipshield.media.receiveRing", "true"));
    /** The event loops' thread names begin with it (then the group's and the loop's numbers): thread dumps, the benchmark. */
    public static final String EVENT_LOOP_THREADS = "media-loop";
    /** SO_RCVBUF and SO_SNDBUF of every media socket: room for bursts while the loop is busy. */
    static final int SOCKET_BUFFER = 1 << 20;

    /** Replaced by {@link #retune}; a session reads it once, when it opens. */
    private volatile MediaRelayOptions options;
    private final MultiThreadIoEventLoopGroup group;
    private final PortAllocator ports;
    private final ExecutorService signalling;
    private final AtomicInteger active = new AtomicInteger();
    private static final long DESCRIPTORS_WARNING_NANOS = 10_000_000_000L;
    /** When the relay last said it had no file descriptor left (System.nanoTime): at most once per {@link #DESCRIPTORS_WARNING_NANOS}. */
    private final AtomicLong descriptorsWarnedAt = new AtomicLong(System.nanoTime() - DESCRIPTORS_WARNING_NANOS);
    private final Map<ThreadAwareExecutor, PacketBurst> bursts = new ConcurrentHashMap<>();
    private final Map<IoEventLoop, MediaTimeoutSweep> sweeps = new ConcurrentHashMap<>();
    /** Each real-time loop's budget (media.realtimePriority); empty at normal priority. Used on its loop only. */
    private final Map<io.netty.util.concurrent.EventExecutor, RealtimeBudget> budgets = new ConcurrentHashMap<>();
    /** The real-time loops' watchdog (media.realtimePriority); null at normal priority. */
    private volatile RealtimeWatchdog watchdog;
    private final byte[] bindAddress;
    private final java.util.concurrent.atomic.AtomicLong silencesOnHold = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.util.function.Consumer<SessionReport> sessionEnded = report -> { };
    private final OffLoopLog log;
    /** Monotonic nanoseconds for the media timeout: System.nanoTime, or a test's clock moved by hand. */
    private final LongSupplier nanoClock;

    private MediaRelay(MediaRelayOptions options, LongSupplier nanoClock, boolean receiveThroughRing) {
        this.options = options;
        this.nanoClock = nanoClock;
        this.bindAddress = options.bindAddress().getAddress();
        this.group = new RelayEventLoopGroup(options.ioThreads(),
                new BurstingIoHandlerFactory(EpollIoHandler.newFactory(), bursts, options.batchWindow().toNanos(),
                        SEND_THROUGH_IO_URING, receiveThroughRing));
        this.ports = new PortAllocator(options.ports());
        this.signalling = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "media-timeouts");
            t.setDaemon(true);
            return t;
        });
        this.log = new OffLoopLog(RelaySession.LOG, signalling);
    }

    /**
     * @throws IllegalStateException if the native epoll transport is not available here
     */
    public static MediaRelay start(MediaRelayOptions options) {
        return start(options, System::nanoTime);
    }

    /**
     * A relay whose media timeout reads silence on nanoClock (monotonic nanoseconds), so a test can
     * move time instead of waiting for it. It is read once per accepted packet: it must not allocate.
     *
     * @throws IllegalStateException if the native epoll transport is not available here
     */
    public static MediaRelay start(MediaRelayOptions options, LongSupplier nanoClock) {
        return start(options, nanoClock, RECEIVE_THROUGH_IO_URING);
    }

    /** A relay whose loops receive through their rings (where the kernel allows them) or, with false, with recvmmsg; for tests. */
    static MediaRelay start(MediaRelayOptions options, LongSupplier nanoClock, boolean receiveThroughRing) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(nanoClock, "nanoClock");
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("the media relay needs Netty's native epoll transport: " + Epoll.unavailabilityCause());
        }
        MediaRelay relay = new MediaRelay(options, nanoClock, receiveThroughRing);
        LOG.info("media relay on {} ports {}..{}, media timeout {} s, latching {}, {} event loops", options.bindAddress()
                .getHostAddress(), options.ports().min(), options.ports().max(), options.mediaTimeout().toSeconds(),
                options.latching(), options.ioThreads());
        relay.runLoopsInRealtime(options.realtimePriority());
        return relay;
    }

    /**
     * With a priority (1..98; media.realtimePriority), every event loop runs under SCHED_FIFO: a loop
     * woken by a packet takes its CPU at once from the JVM's compiler and GC threads and anything else
     * at normal priority, instead of waiting out their time slice (with the relay on one CPU the loop
     * waited 100-1,800 ms of each 20 s benchmark step, 5-90 ms under SCHED_FIFO). Each loop keeps to a
     * budget ({@link RealtimeBudget}): busy for nearly all of its CPU, it goes to the fair scheduler at
     * nice -20 until its load falls, so that neither the kernel's real-time throttling stops it nor the
     * threads that share its CPU (signalling, the JIT) starve; and a watchdog one priority above them
     * ({@link RealtimeWatchdog}) lets a loop that spins waiting for such a thread down until it goes
     * on. The default (media.realtimePriority 10): at normal priority a kernel thread that runs on the
     * loop's CPU kept it for its whole slice, 1-7 ms on this project's VM (bench/media-results.md).
     * Refused (no root or CAP_SYS_NICE): said at WARN, and the loops run on at normal priority.
     */
    private void runLoopsInRealtime(int priority) {
        if (priority == 0) {
            return;
        }
        int[] refusal = new int[1];
        RealtimeWatchdog started = RealtimeWatchdog.start(priority, refusal);
        int refused = refusal[0];
        if (started != null) {
            watchdog = started;
            for (io.netty.util.concurrent.EventExecutor loop : group) {
                int result = loop.submit(() -> {
                    int[] loopRefusal = new int[1];
                    RealtimeWatchdog.Loop watched = started.watchThisLoop(RelayEventLoopGroup.progressOf((IoEventLoop) loop), loopRefusal);
                    if (watched == null) {
                        return -loopRefusal[0];
                    }
                    RealtimeBudget budget = new RealtimeBudget(priority, watched, signalling);
                    if (!budget.startOnThisLoop(loop)) {
                        watched.want(LoopWatchdog.FAIR);
                        return -UdpNative.EINVAL;
                    }
                    budgets.put(loop, budget);
                    return 0;
                }).syncUninterruptibly().getNow();
                if (result < 0) {
                    refused = -result;
                }
            }
        }
        if (refused == 0) {
            LOG.info("media relay: {} event loops under SCHED_FIFO, priority {}, watched at priority {}", options.ioThreads(),
                    priority, priority + 1);
        } else {
            LOG.warn("media relay: SCHED_FIFO priority {} refused ({}): the event loops run at normal priority", priority,
                    refused == UdpNative.EPERM ? "errno " + refused + ", needs root or CAP_SYS_NICE"
                            : refused == UdpNative.EINVAL ? "this JVM cannot read a thread's CPU time, which the loops' budget needs"
                            : "errno " + refused);
        }
    }

    private void onEveryBudget(java.util.function.Consumer<RealtimeBudget> action) {
        budgets.forEach((loop, budget) -> RelaySession.await(loop.submit(() -> action.accept(budget)), "an event loop's scheduling"));
    }

    /** {@link #warmUp(int)} with the rounds the proxy runs at start. */
    public WarmUpOutcome warmUp() {
        return warmUp(WARM_UP_ROUNDS);
    }

    /**
     * Relays {@code rounds} rounds of the relay's own calls on every event loop before the first real
     * one ({@link RelayWarmUp}: why, and what they carry), so the JIT has compiled the packet path
     * with every branch a busy relay takes. Call it once, right after {@link #start}, before any
     * session is opened: nothing else may use the relay meanwhile. Leaves no session open, every
     * port free and nothing reported to {@link #onSessionEnded}. It needs four port pairs per loop
     * (loops warm up together as the range allows); with fewer free it does nothing and says so, as
     * when its packets do not come back (a WARN: the relay serves calls all the same).
     *
     * @param rounds a positive multiple of {@link #WARM_UP_ROUNDS_PER_SESSION}
     * @return what the warm-up relayed and dropped, summed over its sessions
     */
    public WarmUpOutcome warmUp(int rounds) {
        if (rounds <= 0 || rounds % WARM_UP_ROUNDS_PER_SESSION != 0) {
            throw new IllegalArgumentException("warm-up rounds must be a positive multiple of " + WARM_UP_ROUNDS_PER_SESSION
                    + ", got " + rounds);
        }
        if (active.get() != 0) {
            throw new IllegalStateException("the relay warms up before its first session, not with " + active.get() + " open");
        }
        java.util.List<IoEventLoop> loops = new java.util.ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor loop : group) {
            loops.add((IoEventLoop) loop);
        }
        // busy on purpose: at normal priority, so that no loop's budget reads it as load
        onEveryBudget(RealtimeBudget::pause);
        try {
            return warmUp(loops, rounds);
        } finally {
            onEveryBudget(RealtimeBudget::resume);
        }
    }

    private WarmUpOutcome warmUp(java.util.List<IoEventLoop> loops, int rounds) {
        WarmUpOutcome outcome;
        try {
            outcome = RelayWarmUp.run(this, loops, rounds);
        } catch (RuntimeException e) {
            // e.g. a firewall that drops UDP between local sockets: the relay serves calls all the same
            LOG.warn("media relay not warmed up: {}; it runs without", e.toString());
            return WarmUpOutcome.NONE;
        }
        if (outcome.eventLoops() == 0) {
            LOG.warn("media relay not warmed up: {} port pairs free, it needs {}; the first busy calls may find its packet path "
                    + "compiled without some of its branches", freePortPairs(), RelayWarmUp.PORT_PAIRS_PER_LOOP);
        } else {
            LOG.info("media relay warmed up: {}", outcome);
        }
        return outcome;
    }

    /**
     * Rounds per event loop at start: enough for C2, the JIT's optimising compiler, to compile the
     * packet path while every branch is being taken (bench/media-results.md, 2026-12-03).
     */
    public static final int WARM_UP_ROUNDS = 1000;

    /** Rounds of the warm-up that one pair of its sessions carries before it is closed and new ones open. */
    public static final int WARM_UP_ROUNDS_PER_SESSION = 50;

    public MediaRelayOptions options() {
        return options;
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /**
     * A new media timeout and latching policy (a configuration reload) for the sessions opened from
     * now on; a session already open keeps the ones it opened with. The address, ports, engine and
     * event loops stay: they are bound for the life of the relay.
     */
    public void retune(Duration mediaTimeout, LatchingPolicy latching) {
        options = options.withMediaTimeout(mediaTimeout).withLatching(latching);
        LOG.info("media relay: media timeout {} s, latching {} for new sessions", mediaTimeout.toSeconds(), latching);
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

    /**
     * How many times a real-time loop's watchdog let the loop down (to nice 0) because it ran flat
     * out without progress ({@link RealtimeWatchdog}); 0 at normal priority.
     */
    public long realtimeLetDowns() {
        long letDowns = 0;
        for (RealtimeBudget budget : budgets.values()) {
            letDowns += budget.letDowns();
        }
        return letDowns;
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
        return open(group.next(), label, listener, true, false);
    }

    /**
     * Opens a session that silence never ends (it ends when closed): a call's other streams, which
     * may rightly go quiet for minutes (a camera turned off, a BFCP stream between floor requests)
     * while the call's audio session judges whether the call is still alive.
     */
    public RelaySession openSessionSilenceMayLast(String label) {
        return open(group.next(), label, null, false, false);
    }

    /** A session of the relay's warm-up on {@code loop}: silence never ends it, it is never logged nor reported. */
    RelaySession openQuietSession(IoEventLoop loop) {
        return open(loop, "warm-up", null, false, true);
    }

    private RelaySession open(IoEventLoop loop, String label, MediaTimeoutListener listener, boolean endsOnSilence, boolean quiet) {
        PacketBurst burst = burst(loop);
        MediaTimeoutSweep sweep = sweeps.computeIfAbsent(loop, l -> new MediaTimeoutSweep(l, burst, options.mediaTimeout(), nanoClock));
        RelaySession session = new RelaySession(this, label, loop, burst, sweep, listener, endsOnSilence, quiet);
        RelayLeg a = session.leg(RelaySide.A);
        RelayLeg b = session.leg(RelaySide.B);
        if (!bindLeg(session, a)) {
            throw noFreePortPair();
        }
        try {
            if (!bindLeg(session, b)) {
                throw noFreePortPair();
            }
        } catch (RuntimeException e) {
            closeSockets(loop, a);
            ports.release(a.localRtpPort());
            throw e;
        }
        active.incrementAndGet();
        return session;
    }

    private MediaPortsExhaustedException noFreePortPair() {
        return new MediaPortsExhaustedException("no free media port pair in " + options.ports().min() + ".." + options.ports().max());
    }

    PacketBurst burst(IoEventLoop loop) {
        PacketBurst burst = bursts.get(loop);
        if (burst == null) {
            throw new IllegalStateException("event loop without a packet burst: " + loop);
        }
        return burst;
    }

    /**
     * Takes port pairs until one binds: another process may hold ports of the range (a pair that
     * fails goes back to the end of the queue), a bounded number of times. A process out of file
     * descriptors stops at once: no other pair would bind either.
     */
    private boolean bindLeg(RelaySession session, RelayLeg leg) {
        for (int tries = 0; tries < 64; tries++) {
            int port = ports.take();
            if (port < 0) {
                return false;
            }
            int errno = bindPair(session, leg, port);
            if (errno == 0) {
                return true;
            }
            ports.release(port);
            if (errno == UdpNative.EMFILE || errno == UdpNative.ENFILE) {
                throw outOfDescriptors(errno);
            }
        }
        return false;
    }

    /** The refusal of a call when no socket could be opened at all; said in a WARN too, at most once per {@link #DESCRIPTORS_WARNING_NANOS}. */
    private MediaPortsExhaustedException outOfDescriptors(int errno) {
        String why = "no file descriptor left for a media socket (" + (errno == UdpNative.EMFILE
                ? "EMFILE: the process's open-file limit" : "ENFILE: the system's file table") + "; an anchored stream holds four)";
        long now = System.nanoTime();
        long last = descriptorsWarnedAt.get();
        if (now - last >= DESCRIPTORS_WARNING_NANOS && descriptorsWarnedAt.compareAndSet(last, now)) {
            LOG.warn("media relay: {}; new calls get 503 until descriptors are free again", why);
        }
        return new MediaPortsExhaustedException(why);
    }

    /** Binds RTP and RTCP for one leg and registers them on the session's loop (0), or closes what it opened (an errno, or -1). */
    private int bindPair(RelaySession session, RelayLeg leg, int port) {
        int rtp = UdpNative.open(bindAddress, port, SOCKET_BUFFER);
        if (rtp < 0) {
            LOG.debug("media port {} not bindable: errno {}", port, -rtp);
            return -rtp;
        }
        int rtcp = UdpNative.open(bindAddress, port + 1, SOCKET_BUFFER);
        if (rtcp < 0) {
            UdpNative.close(rtp);
            LOG.debug("media port {} not bindable: errno {}", port + 1, -rtcp);
            return -rtcp;
        }
        leg.bound(port, new RelaySocket(rtp, leg, false, session.burst()), new RelaySocket(rtcp, leg, true, session.burst()));
        IoEventLoop loop = session.loop();
        try {
            register(loop, leg.rtpSocket, session.burst());
            register(loop, leg.rtcpSocket, session.burst());
            return 0;
        } catch (RuntimeException e) {
            LOG.warn("media port pair {} not registered on its event loop: {}", port, e.toString());
            closeSockets(loop, leg);
            return -1;
        }
    }

    /**
     * The socket joins the loop's receive ring, or where the loop has none its epoll set, readable
     * events level-triggered (no extra read just to meet EAGAIN).
     */
    private static void register(IoEventLoop loop, RelaySocket socket, PacketBurst burst) {
        boolean ring = loop.submit(() -> {
            if (!burst.readsThroughRing()) {
                return false;
            }
            burst.listen(socket);
            return true;
        }).syncUninterruptibly().getNow();
        if (ring) {
            return;
        }
        IoRegistration registration = loop.register(socket).syncUninterruptibly().getNow();
        loop.submit(() -> {
            socket.registered(registration);
            registration.submit(EpollIoOps.EPOLLIN);
        }).syncUninterruptibly();
    }

    private static void closeSockets(IoEventLoop loop, RelayLeg leg) {
        loop.submit(() -> {
            leg.rtpSocket.close();
            leg.rtcpSocket.close();
        }).syncUninterruptibly();
    }

    /** On the session's loop, after its sockets are closed: the ports may be taken again. */
    void released(RelaySession session) {
        active.decrementAndGet();
        ports.release(session.leg(RelaySide.A).localRtpPort());
        ports.release(session.leg(RelaySide.B).localRtpPort());
    }

    /**
     * Reads that returned datagrams (recvmmsg calls, or takes from a receive ring), the datagrams
     * they returned, and the loops' wake-ups that read any, over all loops; for tests.
     */
    long[] reads() throws Exception {
        long[] total = new long[3];
        for (Map.Entry<ThreadAwareExecutor, PacketBurst> e : bursts.entrySet()) {
            IoEventLoop loop = (IoEventLoop) e.getKey();
            PacketBurst burst = e.getValue();
            long[] one = loop.submit(() -> new long[] {burst.reads(), burst.packetsRead(), burst.wakeUpsWithPackets()}).get();
            for (int i = 0; i < total.length; i++) {
                total[i] += one[i];
            }
        }
        return total;
    }

    /** How many of the loops read through their receive ring, and how many loops there are; for tests. */
    int[] loopsReadingThroughRing() throws Exception {
        int n = 0;
        for (Map.Entry<ThreadAwareExecutor, PacketBurst> e : bursts.entrySet()) {
            PacketBurst burst = e.getValue();
            if (((IoEventLoop) e.getKey()).submit(burst::readsThroughRing).get()) {
                n++;
            }
        }
        return new int[] {n, bursts.size()};
    }

    /** Where the event loops' info lines go: written by the signalling thread. */
    OffLoopLog log() {
        return log;
    }

    ExecutorService signallingExecutor() {
        return signalling;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (watchdog != null) {
            watchdog.close(); // after the loops: none is left to watch
        }
        signalling.shutdownNow();
        log.flush(); // the last sessions' "media ended" lines, whose hand-over shutdownNow dropped
    }
}
