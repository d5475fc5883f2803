package org.sipshield.media.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.sipshield.media.bench.MediaRelayBenchmark.Limits;
import org.sipshield.media.bench.MediaRelayBenchmark.Result;

/**
 * The figures of several whole runs in one invocation: each as the median and the spread (lowest,
 * highest) over the runs, so a figure is never one lucky run. Ratios are taken within a run
 * (sipshield against the rtpengine measured right after it), then summarised.
 */
final class RunSummary {
    private RunSummary() {}

    /** @param runs per run, the limits of each sipshield variant then (last) rtpengine's, as measured */
    static void print(List<List<Limits>> runs, int variants) {
        System.out.printf(Locale.ROOT, "%n== summary of %d runs: median [lowest .. highest]%n", runs.size());
        int relays = runs.get(0).size();
        for (int r = 0; r < relays; r++) {
            int at = r;
            String name = runs.get(0).get(r).zeroLoss().relay() + (r < variants && variants > 1 ? " #" + (r + 1) : "");
            System.out.printf(Locale.ROOT, "%-12s zero-loss streams %s, pkt/s %s; CPU per packet at %d streams %s us;"
                    + " p99 added at 80%% of its zero-loss rate %s us (the generator behind its schedule there, p99: %s us)%n", name,
                    spread(runs, l -> l.get(at).zeroLoss().streams(), "%.0f"),
                    spread(runs, l -> l.get(at).zeroLoss().packetsPerSecond(), "%.0f"),
                    MediaRelayBenchmark.CPU_COMPARED_AT,
                    spread(runs, l -> atFiveHundred(l.get(at)), "%.1f"),
                    spread(runs, l -> l.get(at).atEightyPercent() == null ? Double.NaN
                            : l.get(at).atEightyPercent().addedP99us(), "%.0f"),
                    spread(runs, l -> l.get(at).atEightyPercent() == null ? Double.NaN
                            : l.get(at).atEightyPercent().behindP99us(), "%.0f"));
        }
        boolean withReference = relays > 1 && runs.get(0).get(relays - 1).zeroLoss().relay().equals("rtpengine");
        if (!withReference) {
            return;
        }
        for (int v = 0; v < relays - 1; v++) {
            int at = v;
            String name = variants > 1 ? " (variant #" + (v + 1) + ")" : "";
            System.out.printf(Locale.ROOT, "ratio sipshield/rtpengine%s, zero-loss packet rate: %s (per run: %s)%n", name,
                    spread(runs, l -> ratio(l.get(at).zeroLoss(), l.get(relays - 1).zeroLoss()), "%.2fx"),
                    perRun(runs, l -> ratio(l.get(at).zeroLoss(), l.get(relays - 1).zeroLoss())));
            System.out.printf(Locale.ROOT, "ratio sipshield/rtpengine%s, zero loss and p99 added < 1 ms: %s%n", name,
                    spread(runs, l -> ratio(l.get(at).withinLatency(), l.get(relays - 1).withinLatency()), "%.2fx"));
            System.out.printf(Locale.ROOT, "ratio sipshield/rtpengine%s, CPU per packet at %d streams: %s%n", name,
                    MediaRelayBenchmark.CPU_COMPARED_AT,
                    spread(runs, l -> atFiveHundred(l.get(at)) / atFiveHundred(l.get(relays - 1)), "%.2fx"));
        }
    }

    private static double atFiveHundred(Limits l) {
        return l.atFiveHundred() == null ? Double.NaN : l.atFiveHundred().microsPerPacket();
    }

    private static double ratio(Result sipshield, Result rtpengine) {
        return rtpengine.received() == 0 ? Double.NaN : sipshield.packetsPerSecond() / rtpengine.packetsPerSecond();
    }

    /** "median [lowest .. highest]" over the runs that have the figure (NaN: a step not run). */
    static String spread(List<List<Limits>> runs, ToDoubleFunction<List<Limits>> figure, String format) {
        double[] values = runs.stream().mapToDouble(figure).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (values.length == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, format + " [" + format + " .. " + format + "]",
                median(values), values[0], values[values.length - 1]);
    }

    private static String perRun(List<List<Limits>> runs, ToDoubleFunction<List<Limits>> figure) {
        List<String> each = new ArrayList<>();
        for (List<Limits> run : runs) {
            double d = figure.applyAsDouble(run);
            each.add(Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.2fx", d));
        }
        return String.join(", ", each);
    }

    static double median(double[] sorted) {
        double[] v = Arrays.copyOf(sorted, sorted.length);
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }
}
