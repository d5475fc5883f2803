package org.sipshield.srtp.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.sipshield.jni.SrtpNative;
import org.sipshield.jni.SrtpNativeTesting;

/**
 * Runs {@link SrtpBenchmark} and prints ns/packet per suite and engine with the ratios to the
 * references measured in the same run (EVP floor, jitsi-srtp, libsrtp2), then the targets.
 * Any JMH command-line option is passed through (e.g. {@code -f 2 -i 5 -r 2s}); the defaults keep
 * a run short on a small machine.
 */
public final class SrtpBenchmarkReport {
    private SrtpBenchmarkReport() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd = new CommandLineOptions(args);
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cmd);
        if (cmd.getIncludes().isEmpty()) {
            b.include(SrtpBenchmark.class.getName() + ".*");
        }
        if (!cmd.getForkCount().hasValue()) {
            b.forks(1);
        }
        if (!cmd.getWarmupIterations().hasValue()) {
            b.warmupIterations(2);
        }
        if (!cmd.getWarmupTime().hasValue()) {
            b.warmupTime(TimeValue.seconds(1));
        }
        if (!cmd.getMeasurementIterations().hasValue()) {
            b.measurementIterations(3);
        }
        if (!cmd.getMeasurementTime().hasValue()) {
            b.measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(b.build()).run();

        Map<String, Map<String, Double>> bySuite = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String method = name.substring(name.lastIndexOf('.') + 1);
            String suite = r.getParams().getParam("suite");
            bySuite.computeIfAbsent(suite, k -> new TreeMap<>()).put(method, r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("sipshield SRTP benchmark, 172-octet RTP packets, ns/packet (lower is better)");
        System.out.println(SrtpNative.version() + "; " + SrtpNativeTesting.referenceVersion() + "; " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + "; " + Runtime.getRuntime().availableProcessors() + " CPUs");
        for (Map.Entry<String, Map<String, Double>> e : bySuite.entrySet()) {
            Map<String, Double> m = e.getValue();
            Double floor = m.get("evpFloorGcm");
            System.out.println();
            System.out.printf("%s%n", e.getKey());
            System.out.printf("  %-26s %10s %10s %12s %14s%n", "benchmark", "ns/packet", "/ EVP floor", "jitsi-srtp/x", "libsrtp2/x");
            for (Map.Entry<String, Double> r : m.entrySet()) {
                String op = r.getKey().startsWith("unprotect") ? "unprotect" : "protect";
                Double jitsi = m.get(op + "Jitsi");
                Double lib = m.get(op + "Libsrtp2");
                System.out.printf("  %-26s %10.1f %10s %12s %14s%n", r.getKey(), r.getValue(),
                        ratio(r.getValue(), floor), r.getKey().equals("evpFloorGcm") ? "" : ratio(jitsi, r.getValue()),
                        r.getKey().equals("evpFloorGcm") ? "" : ratio(lib, r.getValue()));
            }
        }
        Map<String, Double> gcm = bySuite.get("AEAD_AES_128_GCM");
        Map<String, Double> cm = bySuite.get("AES_CM_128_HMAC_SHA1_80");
        System.out.println();
        System.out.println("targets (issue 3):");
        if (gcm != null && gcm.containsKey("protectOpenSslBatch32") && gcm.containsKey("evpFloorGcm")
                && gcm.containsKey("protectJitsi") && gcm.containsKey("protectLibsrtp2")) {
            double ours = gcm.get("protectOpenSslBatch32");
            target("AEAD_AES_128_GCM protect batch-32 <= 1.1x EVP floor", ours / gcm.get("evpFloorGcm"), "x floor", ours / gcm.get("evpFloorGcm") <= 1.1);
            target("AEAD_AES_128_GCM protect batch-32 >= 1.5x faster than jitsi-srtp", gcm.get("protectJitsi") / ours, "x", gcm.get("protectJitsi") / ours >= 1.5);
            target("AEAD_AES_128_GCM protect batch-32 >= 3x faster than libsrtp2", gcm.get("protectLibsrtp2") / ours, "x", gcm.get("protectLibsrtp2") / ours >= 3);
        }
        if (cm != null && cm.containsKey("protectOpenSslBatch32") && cm.containsKey("protectJitsi")) {
            double ours = cm.get("protectOpenSslBatch32");
            target("AES_CM_128_HMAC_SHA1_80 protect batch-32 >= 1.5x faster than jitsi-srtp", cm.get("protectJitsi") / ours, "x", cm.get("protectJitsi") / ours >= 1.5);
        }
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static void target(String what, double value, String unit, boolean met) {
        System.out.printf(Locale.ROOT, "  %-70s %6.2f %-8s %s%n", what, value, unit, met ? "met" : "NOT met");
    }
}
