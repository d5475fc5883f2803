package org.sipshield.media.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.sipshield.media.LegMedia;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.media.PortRange;
import org.sipshield.media.RelaySession;
import org.sipshield.media.RelaySide;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesOffer;

/**
 * sipshield's relay as the benchmark runs it: alone in its own JVM (started with the launcher's
 * JVM options), as rtpengine runs in its own process, so the load generator's CPU and GC pauses
 * are not charged to it. Driven over stdin/stdout, one command per line, fields separated by tabs,
 * every command answered with one line ({@code ok ...} or {@code error ...}); the offer/answer mirrors
 * the B2BUA's (the relay answers leg A's offer and offers to leg B), like rtpengine's ng commands:
 * <pre>
 * offer  index senderHost senderPort receiverHost receiverPort cryptoLine...  -> ok relayPort answerLineA offerLineB...
 * answer index answerLineB                                                    -> ok
 * close                                                                       -> ok        (every session)
 * allocated                                                                   -> ok bytes  (heap allocated by the event loops)
 * </pre>
 * End of input stops the relay.
 */
public final class SipshieldRelayProcess {
    private final MediaRelay relay;
    private final Map<Integer, RelaySession> sessions = new HashMap<>();
    private final Map<Integer, SdesOffer> offersToB = new HashMap<>();
    /** Leg B's phone, from the offer until its answer configures the leg. */
    private final Map<Integer, InetSocketAddress> pendingB = new HashMap<>();

    private SipshieldRelayProcess(int threads, int realtimePriority, Duration batchWindow, boolean warmUp) {
        // the production defaults (timeout, latching, engine), the port range and thread count of the run
        MediaRelayOptions d = MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(10000, 29999));
        relay = MediaRelay.start(new MediaRelayOptions(d.bindAddress(), d.ports(), d.mediaTimeout(), d.latching(), d.engine(),
                threads, realtimePriority, batchWindow));
        if (warmUp) {
            // as the proxy does at start with media.warmUp (its default)
            relay.warmUp();
        }
    }

    public static void main(String[] args) throws Exception {
        int threads = 1;
        int realtimePriority = MediaRelayOptions.DEFAULT_REALTIME_PRIORITY;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--realtime-priority" -> realtimePriority = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        // the control channel is stdout: anything else printed there would break it
        PrintStream control = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.US_ASCII);
        System.setOut(System.err);
        // a --relay-jvm variant may set it, to measure priorities side by side in one run
        realtimePriority = Integer.getInteger("sipshield.media.realtimePriority", realtimePriority);
        // and this one, to measure the relay without its warm-up (media.warmUp: false) beside it
        boolean warmUp = Boolean.parseBoolean(System.getProperty("sipshield.media.warmUp", "true"));
        // and this one, to measure batch windows side by side (media.batchWindowMicros)
        Duration batchWindow = Duration.ofNanos(1000L * Long.getLong("sipshield.media.batchWindowMicros",
                MediaRelayOptions.DEFAULT_BATCH_WINDOW.toNanos() / 1000));
        SipshieldRelayProcess process = new SipshieldRelayProcess(threads, realtimePriority, batchWindow, warmUp);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        control.println("ready");
        try {
            for (String line; (line = in.readLine()) != null; ) {
                String reply;
                try {
                    reply = "ok" + process.handle(line.split("\t"));
                } catch (RuntimeException | java.net.UnknownHostException e) {
                    reply = "error " + e.getClass().getSimpleName();
                }
                control.println(reply);
            }
        } finally {
            process.closeAll();
            process.relay.close();
        }
    }

    private String handle(String[] f) throws java.net.UnknownHostException {
        switch (f[0]) {
            case "offer" -> {
                int index = Integer.parseInt(f[1]);
                InetSocketAddress sender = new InetSocketAddress(InetAddress.getByName(f[2]), Integer.parseInt(f[3]));
                InetSocketAddress receiver = new InetSocketAddress(InetAddress.getByName(f[4]), Integer.parseInt(f[5]));
                RelaySession session = relay.openSession("bench " + index, null);
                sessions.put(index, session);
                SdesAnswer answerA = Keys.negotiator(Keys.LEG_A).answer(Arrays.asList(f).subList(6, f.length));
                session.configure(RelaySide.A, LegMedia.srtp(sender, null, true, answerA.selection().orElseThrow()));
                SdesOffer offerB = Keys.negotiator(Keys.LEG_B).createOffer();
                offersToB.put(index, offerB);
                pendingB.put(index, receiver);
                return "\t" + session.leg(RelaySide.A).localRtpPort() + "\t" + answerA.answerLine().orElseThrow() + "\t"
                        + String.join("\t", offerB.sdpLines());
            }
            case "answer" -> {
                int index = Integer.parseInt(f[1]);
                SdesOffer offerB = offersToB.remove(index);
                sessions.get(index).configure(RelaySide.B, LegMedia.srtp(pendingB.remove(index), null, true,
                        offerB.accept(f[2]).selection().orElseThrow()));
                return "";
            }
            case "close" -> {
                closeAll();
                return "";
            }
            case "allocated" -> {
                return "\t" + eventLoopAllocatedBytes();
            }
            default -> throw new IllegalArgumentException("unknown command");
        }
    }

    private void closeAll() {
        sessions.values().forEach(RelaySession::close);
        sessions.clear();
        offersToB.values().forEach(SdesOffer::close);
        offersToB.clear();
        pendingB.clear();
    }

    private static long eventLoopAllocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long bytes = 0;
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(MediaRelay.EVENT_LOOP_THREADS)) {
                bytes += Math.max(0, mx.getThreadAllocatedBytes(info.getThreadId()));
            }
        }
        return bytes;
    }
}
