package org.sipshield.media.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time this virtual machine's CPUs had work but the hypervisor did not run them ("steal",
 * /proc/stat): other guests' time, and the time a CPU that halted while idle waits to be run again
 * once a packet wakes it. On this project's VM it was 0-30% of the CPU time from one step to the
 * next with idle CPUs halting at once, and under 1% with guest halt polling on ({@link #haltPolling}):
 * the steal there was mostly wake-ups. Printed with every step, for every relay alike.
 */
record HypervisorSteal(long ticks, int cpus, long nanos) {
    static HypervisorSteal now() {
        long ticks = -1;
        int cpus = 0;
        try {
            List<String> stat = Files.readAllLines(Path.of("/proc/stat"));
            String[] all = stat.get(0).trim().split("\\s+");
            ticks = all.length > 8 ? Long.parseLong(all[8]) : -1;
            // every CPU of the machine (the generator itself may be pinned to fewer)
            cpus = (int) stat.stream().filter(l -> l.matches("cpu\\d+ .*")).count();
        } catch (IOException | RuntimeException e) {
            // no /proc/stat: nothing to say
        }
        return new HypervisorSteal(ticks, cpus, System.nanoTime());
    }

    /** Of the machine's CPU time since {@code before}, the percentage the hypervisor took; -1 when unknown. */
    double percentSince(HypervisorSteal before) {
        if (ticks < 0 || before.ticks < 0 || cpus == 0 || nanos <= before.nanos) {
            return -1;
        }
        double cpuMillis = (nanos - before.nanos) / 1e6 * cpus;
        return 100 * (ticks - before.ticks) * (1000 / ProcessCpu.TICKS_PER_SECOND) / cpuMillis;
    }

    /** The guest's halt polling (KVM's cpuidle-haltpoll), as the run's header says it. */
    static String haltPolling() {
        try {
            String ns = Files.readString(Path.of("/sys/module/haltpoll/parameters/guest_halt_poll_ns")).trim();
            return "guest halt polling " + ns + " ns" + ("0".equals(ns) ? " (an idle CPU halts at once)" : "");
        } catch (IOException | RuntimeException e) {
            return "no guest halt polling here";
        }
    }
}
