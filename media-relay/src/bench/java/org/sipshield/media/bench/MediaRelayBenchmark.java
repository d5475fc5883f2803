package org.sipshield.media.bench;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.srtp.SrtpStatus;

/**
 * Load generator for the media relay (not a test): N concurrent SRTP->SRTP re-keyed streams
 * (leg A AES_CM_128_HMAC_SHA1_80 in, leg B AEAD_AES_128_GCM out), 50 packets/s each, 172-octet
 * G.711 RTP, through a relay on 127.0.0.1. The streams start over one second (see
 * {@link #RAMP_PERIODS}), then all N run for the step. For each relay it finds the highest N with
 * zero loss over a step (doubling, then bisecting; the highest that passes a second time), and prints packets/s, relay CPU and the one-way latency
 * through the relay (generator send to generator receive, p50/p99). A packet that arrives more than
 * 50 ms late counts as lost (a jitter buffer would discard it). Then the ratio sipshield/rtpengine,
 * and the same for the highest step run with zero loss and a p99 added under 1 ms.
 * Each step also runs reference streams through no relay (see {@link #referenceStreams}), so the
 * latency the generator and the machine add on their own is measured in the same step, and the
 * latency the relay adds is reported apart from it.
 * Each relay runs in its own process (sipshield's in its own JVM, started with the launcher's JVM
 * options from jvm.options), so neither is charged the generator's CPU or GC pauses; a relay's CPU
 * is its whole process's, from /proc. The generator (one thread that sends and reads) runs on the
 * same machine, so the relay under test and the generator share its cores: both relays get the same
 * number of threads (default 1). The generator keeps to its schedule: it sends what is due in one
 * system call and reads what came back in batches while it waits for the next, allocating nothing
 * per packet (a generator that falls behind catches up with bursts, and the relay would be measured
 * queueing them); every step prints how far behind its schedule the sends went out.
 */
public final class MediaRelayBenchmark {
    private static final String USAGE = """
            usage: bench/media.sh [--runs R] [--seconds S] [--start N] [--max N] [--only sipshield|rtpengine] [--relay-threads T]
                                  [--jvm-options FILE] [--relay-jvm "OPTIONS"]... [--relay-cpus LIST | --shared-cpus]
                                  [--realtime-priority P] [--guest-halt-poll NS]
              --runs R           whole runs (each relay in turn), then the median and spread over them (default 3)
              --seconds S        length of a step (default 20; the issue's figure is 60)
              --start N, --max N the first and the highest number of streams tried (250, 6000)
              --only R           one relay only
              --relay-threads T  event loops of sipshield, --num-threads of rtpengine (1)
              --jvm-options FILE the JVM options of sipshield's relay process (default jvm.options, the launcher's)
              --relay-jvm "..."  instead, these options; given several times, each is measured in turn (side by side)
              --relay-cpus LIST  start each relay process on these CPUs (taskset's list; bench/media.sh: the generator
                                 on CPU 0, the relays on the others)
              --realtime-priority P  each relay's media threads under SCHED_FIFO at priority P (1..98; sipshield's
                                 media.realtimePriority, each loop within its budget and watched; rtpengine's --scheduling=fifo
                                 --priority=P); 0: both at normal priority. Default: each relay's own default (sipshield's
                                 loops under SCHED_FIFO at 10, rtpengine's threads at normal priority). Side by side,
                                 sipshield only: --relay-jvm "" --relay-jvm "-Dsipshield.media.realtimePriority=0"
              --shared-cpus      (bench/media.sh only) generator and relay share every CPU, as before 2026-12-03
              --guest-halt-poll NS (bench/media.sh only, root on a KVM guest) an idle CPU polls up to NS before it halts,
                                 for this run (the machine's value comes back on exit)""";
    private static final int PPS = 50;
    private static final long PERIOD_NANOS = 1_000_000_000L / PPS;
    private static final int PAYLOAD = 160;
    private static final int RING = 128;
    /**
     * The streams start one after another over this many periods (one second), as calls arrive,
     * then all N run together for the step's seconds. Packets sent during the ramp count like any
     * other for loss; rates and CPU are those of the seconds at full load.
     */
    static final int RAMP_PERIODS = PPS;
    /** A packet later than this is useless to a jitter buffer: it counts as lost. */
    static final long LATE_MICROS = 50_000;

    /**
     * @param sent, received every relayed packet of the step, the ramp included (received: in time)
     * @param seconds, cpu, fullLoadReceived the seconds at full load (after the ramp), the relay's CPU
     *                 seconds and the relayed packets received in time that were sent in them
     * @param p50us   one-way latency through the relay, generator send to generator receive
     * @param refP50us the same for the reference streams of the same step, which go from the
     *                 generator's sender straight to its receiver through no relay: what the
     *                 generator and the machine add on their own
     * @param behindP99us how late against their schedule the generator's sends went out (p99): beyond
     *                 a millisecond or so the generator could not keep up, and sent what was due in
     *                 bursts, which the relay is then measured queueing
     */
    record Result(String relay, int streams, long sent, long received, double seconds, double cpu, long fullLoadReceived,
            double p50us, double p99us, double refP50us, double refP99us, long allocated, double p999us, double refP999us,
            double waitedMs, double stealPercent, double behindP99us) {
        boolean zeroLoss() {
            return sent > 0 && received >= sent;
        }

        /** Relayed packets per second received in time at full load (see LATE_MICROS). */
        double packetsPerSecond() {
            return fullLoadReceived / seconds;
        }

        String line() {
            return String.format(Locale.ROOT, "%-9s N=%5d  sent %8d  received %8d  lost+late %6d  %8.0f pkt/s  relay CPU %5.1f%%"
                    + " (%4.1f us/pkt%s)  latency p50 %7.1f us  p99 %8.1f us (no relay: %6.1f / %7.1f; added by the relay: %6.1f / %7.1f us)"
                    + "  p99.9 %.1f ms (no relay %.1f)  busiest relay thread waited for a CPU %.0f ms, hypervisor steal %.1f%%"
                    + ", the generator's sends behind their schedule p99 %.2f ms  %s",
                    relay, streams, sent, received, sent - received, packetsPerSecond(), 100 * cpu / seconds,
                    fullLoadReceived == 0 ? 0 : 1e6 * cpu / fullLoadReceived,
                    allocated < 0 || received == 0 ? "" : String.format(Locale.ROOT, ", %d B/pkt allocated", allocated / received),
                    p50us, p99us, refP50us, refP99us, addedP50us(), addedP99us(), p999us / 1000, refP999us / 1000,
                    waitedMs, stealPercent, behindP99us / 1000, zeroLoss() ? "ZERO LOSS" : "LOSS");
        }

        /** Relay CPU microseconds per packet at full load. */
        double microsPerPacket() {
            return fullLoadReceived == 0 ? Double.NaN : 1e6 * cpu / fullLoadReceived;
        }

        /** Latency the relay adds at the median: relay path minus the reference path of the same step. */
        double addedP50us() {
            return Math.max(0, p50us - refP50us);
        }

        double addedP99us() {
            return Math.max(0, p99us - refP99us);
        }
    }

    /** The p99 the target allows the relay to add. */
    static final double ADDED_P99_TARGET_MICROS = 1000;

    /**
     * What one relay reached: the highest N with zero loss (the search's result), and among the
     * steps run the highest with zero loss and a p99 added under {@link #ADDED_P99_TARGET_MICROS}.
     */
    record Limits(Result zeroLoss, Result withinLatency, Result atFiveHundred, Result atEightyPercent) {}

    /** The CPU comparison is at this many streams (a step every search runs when 250 holds). */
    static final int CPU_COMPARED_AT = 500;

    public static void main(String[] args) throws Exception {
        int runs = 3;
        int seconds = 20;
        int start = 250;
        int max = 6000;
        String only = null;
        // the relay's JVM options: those of the launcher's `run` unless given (once per variant to compare)
        List<String> relayJvm = new ArrayList<>();
        File launcherOptions = new File("jvm.options");
        // the generator itself needs about a core of this 2-core machine: one relay thread each by default
        int relayThreads = 1;
        String relayCpus = null;
        int realtimePriority = -1; // each relay's own default
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--start" -> start = Integer.parseInt(args[++i]);
                case "--max" -> max = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--relay-threads" -> relayThreads = Integer.parseInt(args[++i]);
                case "--relay-jvm" -> relayJvm.add(args[++i].strip());
                case "--relay-cpus" -> relayCpus = args[++i];
                case "--realtime-priority" -> realtimePriority = Integer.parseInt(args[++i]);
                case "--jvm-options" -> launcherOptions = new File(args[++i]);
                case "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        if (seconds < 1 || seconds > 1200) {
            // a packet's RTP sequence number is its period: it must not wrap within a step
            throw new IllegalArgumentException("--seconds must be 1..1200\n" + USAGE);
        }
        if (runs < 1 || runs > 20) {
            throw new IllegalArgumentException("--runs must be 1..20\n" + USAGE);
        }
        if (realtimePriority < -1 || realtimePriority > MediaRelayOptions.MAX_REALTIME_PRIORITY) {
            throw new IllegalArgumentException("--realtime-priority must be 0.." + MediaRelayOptions.MAX_REALTIME_PRIORITY
                    + " (sipshield's loop watchdog takes the priority above)\n" + USAGE);
        }
        int threads = relayThreads;
        // a generator on CPUs of its own polls for what comes back; sharing the relay's, it sleeps
        boolean generatorPolls = relayCpus != null;
        // the command that starts a relay process on its CPUs, put before the relay's own
        List<String> placement = relayCpus == null ? List.of() : List.of("taskset", "-c", relayCpus);
        List<List<String>> variants = new ArrayList<>();
        if (relayJvm.isEmpty()) {
            variants.add(SipshieldRelay.launcherJvmOptions(launcherOptions));
        } else {
            relayJvm.forEach(o -> variants.add(o.isEmpty() ? List.of() : List.of(o.split("\\s+"))));
        }
        System.out.printf(Locale.ROOT, "media relay benchmark: %d s per step, %d pkt/s per stream, %d-octet RTP,"
                + " %d relay threads each, each relay in its own process%s%n", seconds, PPS, 12 + PAYLOAD, threads,
                relayCpus == null ? ", the generator and the relay sharing the machine's CPUs"
                        : " on CPUs " + relayCpus + ", the generator on CPUs of its own ("
                                + Runtime.getRuntime().availableProcessors() + ")");
        System.out.printf(Locale.ROOT, "load average at start: %s; %s; --realtime-priority %s%n", loadAverage(),
                HypervisorSteal.haltPolling(), realtimePriority < 0
                        ? "not given (each relay's default: sipshield's loops under SCHED_FIFO at 10, unless a --relay-jvm variant "
                                + "sets -Dsipshield.media.realtimePriority; rtpengine at normal priority)"
                        : realtimePriority == 0 ? "0 (both relays at normal priority, unless a --relay-jvm variant sets it)"
                        : realtimePriority + " (SCHED_FIFO, both relays)");
        List<List<Limits>> allRuns = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            System.out.printf(Locale.ROOT, "%n== run %d of %d (load average %s)%n", run, runs, loadAverage());
            List<Limits> best = new ArrayList<>();
            if (only == null || only.equals("sipshield")) {
                for (List<String> jvm : variants) {
                    System.out.printf(Locale.ROOT, "sipshield relay JVM options: %s%n", jvm.isEmpty() ? "(none: the JVM's defaults)"
                            : String.join(" ", jvm));
                    try (SipshieldRelay relay = new SipshieldRelay(placement, threads, realtimePriority, jvm)) {
                        best.add(measure(relay, start, max, seconds, generatorPolls));
                    }
                }
            }
            if (only == null || only.equals("rtpengine")) {
                try (RtpengineRelay relay = new RtpengineRelay(placement, threads, realtimePriority)) {
                    best.add(measure(relay, start, max, seconds, generatorPolls));
                }
            }
            printRun(best);
            allRuns.add(best);
        }
        if (runs > 1) {
            RunSummary.print(allRuns, variants.size());
        }
        System.out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    }

    /** One run's figures: each relay's limits, then sipshield's ratios against rtpengine of the same run. */
    private static void printRun(List<Limits> best) {
        System.out.println();
        for (Limits l : best) {
            printLimit("highest zero-loss:", l.zeroLoss());
        }
        for (Limits l : best) {
            printLimit("highest zero-loss with p99 added < 1 ms (of the steps run):", l.withinLatency());
        }
        for (Limits l : best) {
            if (l.atEightyPercent() != null) {
                printLimit("at 80% of its own zero-loss rate:", l.atEightyPercent());
            }
        }
        Limits reference = best.isEmpty() ? null : best.get(best.size() - 1);
        if (reference != null && reference.zeroLoss().relay().equals("rtpengine") && best.size() > 1) {
            for (Limits l : best.subList(0, best.size() - 1)) {
                System.out.printf(Locale.ROOT, "ratio sipshield/rtpengine (zero-loss packet rate): %s%n",
                        ratio(l.zeroLoss(), reference.zeroLoss()));
                System.out.printf(Locale.ROOT, "ratio sipshield/rtpengine (zero loss and p99 added < 1 ms): %s%n",
                        ratio(l.withinLatency(), reference.withinLatency()));
                if (l.atFiveHundred() != null && reference.atFiveHundred() != null) {
                    System.out.printf(Locale.ROOT, "ratio sipshield/rtpengine (CPU per packet at %d streams): %.2fx%n",
                            CPU_COMPARED_AT, l.atFiveHundred().microsPerPacket() / reference.atFiveHundred().microsPerPacket());
                }
            }
        }
    }

    private static void printLimit(String what, Result r) {
        System.out.printf(Locale.ROOT, "%s %-9s N=%d streams, %.0f pkt/s, relay CPU %.1f%%, p50 %.1f us, p99 %.1f us;"
                + " no relay p50 %.1f us, p99 %.1f us; added by the relay p50 %.1f us, p99 %.1f us;"
                + " the generator behind its schedule p99 %.0f us%n", what, r.relay(), r.streams(),
                r.packetsPerSecond(), 100 * r.cpu() / r.seconds(), r.p50us(), r.p99us(), r.refP50us(), r.refP99us(),
                r.addedP50us(), r.addedP99us(), r.behindP99us());
    }

    private static String ratio(Result sipshield, Result rtpengine) {
        return rtpengine.received() == 0 ? "n/a (rtpengine reached no step)" : String.format(Locale.ROOT, "%.2fx",
                sipshield.packetsPerSecond() / rtpengine.packetsPerSecond());
    }

    private static Limits measure(RelayUnderTest relay, int start, int max, int seconds, boolean poll) throws Exception {
        // warm-up, the same for both relays, not reported: a production relay runs for days, so the
        // figures are its steady state (JIT-compiled, pools filled), not its first seconds
        run(relay, Math.min(250, start), 10, poll);
        Limits found = search(relay, start, max, seconds, poll);
        // the latency target holds "up to 80% of its own zero-loss rate": measured there, one more step
        int eighty = found.zeroLoss().streams() * 8 / 10;
        if (eighty == 0) {
            return found;
        }
        Result r = step(relay, eighty, seconds, poll, "(80% of its zero-loss N)");
        return new Limits(found.zeroLoss(), found.withinLatency(), found.atFiveHundred(), r);
    }

    /** The machine's load (1, 5, 15 minutes): other tenants' work shows in every figure. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static Limits search(RelayUnderTest relay, int start, int max, int seconds, boolean poll) throws Exception {
        Result none = new Result(relay.name(), 0, 0, 0, seconds, 0, 0, 0, 0, 0, 0, -1, 0, 0, -1, -1, -1);
        Result good = null;
        Result withinLatency = none;
        Result atFiveHundred = null;
        int n = start;
        int bad = -1;
        List<Result> passed = new ArrayList<>();
        while (n <= max) {
            Result r = step(relay, n, seconds, poll, "");
            withinLatency = withinLatency(r, withinLatency);
            if (n == CPU_COMPARED_AT) {
                atFiveHundred = r;
            }
            if (!r.zeroLoss()) {
                bad = n;
                break;
            }
            good = r;
            passed.add(r);
            n *= 2;
        }
        int low = good == null ? 0 : good.streams();
        // bisect until the bracket is within about 6% (4 steps from a doubling): a coarser search
        // gives two relays whose limits differ by less than the bracket the same figure
        for (int step = 0; bad > 0 && step < 4 && bad - low > bracket(low); step++) {
            int mid = (low + bad) / 2;
            Result r = step(relay, mid, seconds, poll, "");
            withinLatency = withinLatency(r, withinLatency);
            if (r.zeroLoss()) {
                good = r;
                low = mid;
                passed.add(r);
            } else {
                bad = mid;
            }
        }
        Result held = confirm(relay, passed, seconds, poll);
        if (held != null) {
            withinLatency = withinLatency(held, withinLatency);
        }
        return new Limits(held != null ? held : none, withinLatency, atFiveHundred, null);
    }

    /** Steps that {@link #confirm} may run again before it gives up: a bound, each is a step's time. */
    static final int CONFIRMATIONS = 3;

    /**
     * The highest load that passes twice: a relay's zero-loss N is a load it carries twice, not one
     * lucky draw. A step that passed at 98% of the relay's CPU in a quiet moment set the next step at
     * 80% of it at saturation, and that step's p99 added was 26 ms (bench/media-results.md,
     * 2026-12-05). The steps that passed once run again, highest first, at most {@link #CONFIRMATIONS};
     * the first that passes again holds. When a step above it failed the second time and the two are
     * further apart than the bisection's bracket, the step halfway between runs, twice, and holds if
     * it passes both: else a failed confirmation would cost a relay up to a fifth of its N (2,500 to
     * 2,000 with nothing tried between; bench/media-results.md, 2026-12-05, afternoon), where the
     * bisection had found it to 6%. Null when none passes again.
     */
    private static Result confirm(RelayUnderTest relay, List<Result> passed, int seconds, boolean poll) throws Exception {
        List<Result> highestFirst = new ArrayList<>(passed);
        highestFirst.sort(Comparator.comparingInt(Result::streams).reversed());
        Result held = null;
        int failedAgain = -1;
        for (int i = 0; i < Math.min(CONFIRMATIONS, highestFirst.size()) && held == null; i++) {
            Result again = step(relay, highestFirst.get(i).streams(), seconds, poll, "(again, to confirm)");
            if (again.zeroLoss()) {
                held = again;
            } else {
                failedAgain = again.streams();
            }
        }
        if (held == null || failedAgain < 0 || failedAgain - held.streams() <= bracket(held.streams())) {
            return held;
        }
        int between = (held.streams() + failedAgain) / 2;
        Result once = step(relay, between, seconds, poll, "(between what held and what did not hold again, once)");
        if (!once.zeroLoss()) {
            return held;
        }
        Result twice = step(relay, between, seconds, poll, "(between what held and what did not hold again, twice)");
        return twice.zeroLoss() ? twice : held;
    }

    /** {@link #run} one step and print its line, with why it ran ("" for the search's own steps) and the load after it. */
    private static Result step(RelayUnderTest relay, int n, int seconds, boolean poll, String why) throws Exception {
        Result r = run(relay, n, seconds, poll);
        System.out.println(r.line() + (why.isEmpty() ? "" : "  " + why) + "  load " + loadAverage());
        return r;
    }

    /** The bisection stops once its bracket is within about 6% of what passed (25 streams at least). */
    private static int bracket(int passed) {
        return Math.max(25, passed / 16);
    }

    /** This step if it had zero loss, added less than the p99 target and had more streams than the best so far; else that best. */
    private static Result withinLatency(Result step, Result sofar) {
        return step.zeroLoss() && step.addedP99us() < ADDED_P99_TARGET_MICROS && step.streams() > sofar.streams() ? step : sofar;
    }

    /** One step: n streams starting over the ramp, all n for the given time, then a second of draining. */
    static Result run(RelayUnderTest relay, int n, int seconds, boolean poll) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (GeneratorSender sender = GeneratorSender.open(lo); GeneratorReceiver receiver = GeneratorReceiver.open(lo)) {
            InetSocketAddress direct = receiver.address();
            List<RelayUnderTest.Stream> streams = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                streams.add(relay.open(i, sender.address(), direct));
            }
            int refs = referenceStreams(n);
            long[][] sentAt = new long[n + refs][RING];
            java.time.Instant stepStartedAt = java.time.Instant.now();
            StepReceipts receipts = new StepReceipts(sentAt, n, refs, (RAMP_PERIODS / PPS + seconds) * 10 + 20, System.nanoTime());
            long allocatedBefore = relay.allocatedBytes();
            long[] behindSchedule = new long[StepReceipts.BUCKETS];
            Sent sent = send(sender, receiver, receipts, streams, refs, direct, sentAt, seconds, relay, behindSchedule, poll);
            awaitDrained(receiver, receipts, sent.packets(), poll);
            double cpu = relay.cpuSeconds() - sent.cpuAtFullLoad();
            double waited = ThreadSchedule.of(relay.pid()).busiestThreadWaitMillis(sent.scheduleAtFullLoad());
            double steal = HypervisorSteal.now().percentSince(sent.stealAtFullLoad());
            long allocated = allocatedBefore < 0 ? -1 : relay.allocatedBytes() - allocatedBefore;
            relay.closeStreams();
            streams.forEach(s -> s.protectA().close());
            printLateTimeline(receipts.lateByTenth, stepStartedAt, receipts.lateReference);
            printSlowTimeline(receipts.slowByTenth, stepStartedAt);
            printBehindTimeline(receipts.behindByTenth);
            long[] histogram = receipts.histogram;
            long[] refHistogram = receipts.refHistogram;
            return new Result(relay.name(), n, sent.packets(), receipts.received, seconds, cpu, receipts.fullLoadReceived,
                    percentile(histogram, 0.50),
                    percentile(histogram, 0.99), percentile(refHistogram, 0.50), percentile(refHistogram, 0.99), allocated,
                    percentile(histogram, 0.999), percentile(refHistogram, 0.999), waited, steal, percentile(behindSchedule, 0.99));
        }
    }

    /**
     * Reads until every packet in flight has come back, or none has for 200 ms (lost ones never
     * will), at most one second: the relay's CPU then covers all the packets it forwarded.
     */
    private static void awaitDrained(GeneratorReceiver receiver, StepReceipts receipts, long sent, boolean poll) {
        long deadline = System.nanoTime() + 1_000_000_000L;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline && receipts.received < sent) {
            if (receipts.take(receiver) > 0) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 200_000_000L) {
                return;
            } else if (!poll) {
                receiver.idle();
            }
        }
    }

    /**
     * Reference streams per step: one for every 10 relayed ones (at least 5), sent from the same
     * socket on the same schedule, but straight to the receiver. Their latency is the generator's
     * own (scheduling of its threads, socket paths, GC, the other load on the machine), measured
     * under the same conditions as the relayed streams, so the difference is what the relay adds.
     */
    static int referenceStreams(int n) {
        return Math.max(5, (n + 9) / 10);
    }

    /** What the sender sent: relayed packets; the relay's CPU seconds and threads' schedule, and the steal, when the ramp ended. */
    record Sent(long packets, double cpuAtFullLoad, ThreadSchedule scheduleAtFullLoad, HypervisorSteal stealAtFullLoad) {}

    /**
     * Every stream sends every 20 ms, the streams spread evenly over the period; reference streams
     * among them. Relayed stream i starts in period i * RAMP_PERIODS / n (the reference streams at
     * once: they measure the generator, not the relay).
     */
    private static Sent send(GeneratorSender sender, GeneratorReceiver receiver, StepReceipts receipts,
            List<RelayUnderTest.Stream> streams, int refs, InetSocketAddress direct, long[][] sentAt, int seconds,
            RelayUnderTest relay, long[] behindSchedule, boolean poll) throws Exception {
        int n = streams.size();
        int all = n + refs;
        int[][] to = new int[n][];
        for (int i = 0; i < n; i++) {
            to[i] = GeneratorSender.destination(streams.get(i).relay());
        }
        int[] straight = GeneratorSender.destination(direct);
        ByteBuffer packet = ByteBuffer.allocateDirect(256);
        long begin = System.nanoTime() + 10_000_000L;
        long periods = RAMP_PERIODS + (long) seconds * PPS;
        long sent = 0;
        double cpuAtFullLoad = 0;
        ThreadSchedule scheduleAtFullLoad = ThreadSchedule.of(relay.pid());
        HypervisorSteal stealAtFullLoad = HypervisorSteal.now();
        for (long p = 0; p < periods; p++) {
            if (p == RAMP_PERIODS) {
                cpuAtFullLoad = relay.cpuSeconds();
                scheduleAtFullLoad = ThreadSchedule.of(relay.pid());
                stealAtFullLoad = HypervisorSteal.now();
            }
            for (int k = 0; k < all; k++) {
                // the reference streams are spread among the relayed ones, every (all / refs)-th slot
                boolean reference = (long) k * refs / all != (long) (k + 1) * refs / all;
                int i = reference ? n + (int) ((long) k * refs / all) : k - (int) ((long) (k + 1) * refs / all);
                long due = begin + p * PERIOD_NANOS + k * PERIOD_NANOS / all;
                if (due > System.nanoTime()) {
                    // what is due goes out before the generator waits, and it reads what came back meanwhile
                    sender.flush(behindSchedule, receipts);
                    waitUntil(due, receiver, receipts, poll);
                } else if ((k & 31) == 0) {
                    // behind its schedule, it still reads now and then: a receive time taken late is latency
                    receipts.take(receiver);
                }
                int seq = (int) (p & 0xffff);
                packet.clear();
                packet.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt((int) (p * 160)).putInt(0x10000 + i);
                for (int w = 0; w < PAYLOAD / 8; w++) {
                    packet.putLong(p * 31 + w);
                }
                packet.flip();
                if (reference) {
                    sender.queue(packet, straight, sentAt[i], seq % RING, due, behindSchedule, receipts);
                    continue;
                }
                if (p < (long) i * RAMP_PERIODS / n) {
                    continue; // this call has not started yet
                }
                RelayUnderTest.Stream s = streams.get(i);
                if (s.protectA().protectRtp(packet) != SrtpStatus.OK) {
                    throw new IllegalStateException("protect failed");
                }
                sender.queue(packet, to[i], sentAt[i], seq % RING, due, behindSchedule, receipts);
                sent++;
            }
        }
        sender.flush(behindSchedule, receipts);
        return new Sent(sent, cpuAtFullLoad, scheduleAtFullLoad, stealAtFullLoad);
    }

    /**
     * Reads what comes back until {@code due}. With a CPU of its own ({@code poll}) the generator
     * polls: a sleeping thread wakes some 50 us late (the kernel's timer slack) and every wake-up on
     * this virtual machine costs it CPU it needs at the top steps. Sharing the relay's CPUs it sleeps
     * instead: spinning would take the CPU the relay is waiting for.
     */
    private static void waitUntil(long due, GeneratorReceiver receiver, StepReceipts receipts, boolean poll) {
        while (due - System.nanoTime() > 0) {
            if (receipts.take(receiver) == 0 && !poll) {
                receiver.idle();
            }
        }
    }

    /** Where in the step the late relayed packets were sent: "late packets sent at 12.3 s: 650, ...". */
    private static void printLateTimeline(long[] lateByTenth, java.time.Instant stepStartedAt, long lateReference) {
        StringBuilder line = new StringBuilder();
        for (int t = 0; t < lateByTenth.length; t++) {
            if (lateByTenth[t] > 0) {
                line.append(line.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f s: %d", t / 10.0, lateByTenth[t]));
            }
        }
        if (line.length() > 0) {
            System.out.println("  late relayed packets by the time they were sent (step start = 0, at " + stepStartedAt
                    + "): " + line + "; reference packets (no relay) late in this step: " + lateReference);
        }
    }

    /**
     * Relayed packets over the latency target, during the ramp (calls being set up) and after it, and
     * the five tenths of a second that had most: "over 1 ms: ramp 812, after 1,377 (4.2 s: 300, ...)",
     * with the step's start on the wall clock, to line the tenths up with a trace taken meanwhile.
     */
    private static void printSlowTimeline(long[] slowByTenth, java.time.Instant stepStartedAt) {
        int rampTenths = RAMP_PERIODS * 10 / PPS;
        long ramp = 0;
        long after = 0;
        for (int t = 0; t < slowByTenth.length; t++) {
            if (t < rampTenths) {
                ramp += slowByTenth[t];
            } else {
                after += slowByTenth[t];
            }
        }
        String worst = mostByTenth(slowByTenth);
        System.out.printf(Locale.ROOT, "  relayed packets over %.0f us (step start = 0, at %s): during the ramp %d, after it %d%s%n",
                ADDED_P99_TARGET_MICROS, stepStartedAt, ramp,
                after, worst.length() == 0 ? "" : " (most: " + worst + ")");
    }

    /** The five tenths in which the generator sent most packets over 1 ms behind schedule, if any. */
    private static void printBehindTimeline(long[] behindByTenth) {
        String worst = mostByTenth(behindByTenth);
        if (!worst.isEmpty()) {
            System.out.println("  packets the generator sent over 1 ms behind its schedule (most: " + worst + ")");
        }
    }

    /** The five tenths with most counted, most first: "4.2 s: 300, 7.1 s: 12"; empty when none. */
    private static String mostByTenth(long[] byTenth) {
        Integer[] order = new Integer[byTenth.length];
        for (int t = 0; t < order.length; t++) {
            order[t] = t;
        }
        java.util.Arrays.sort(order, (a, b) -> Long.compare(byTenth[b], byTenth[a]));
        StringBuilder worst = new StringBuilder();
        for (int k = 0; k < Math.min(5, order.length) && byTenth[order[k]] > 0; k++) {
            worst.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f s: %d", order[k] / 10.0, byTenth[order[k]]));
        }
        return worst.toString();
    }

    private static double percentile(long[] histogram, double q) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        long want = (long) Math.ceil(total * q);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= want && total > 0) {
                return i;
            }
        }
        return Double.NaN;
    }
}
