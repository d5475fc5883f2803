package org.sipshield.media.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a whole process (all its threads), from /proc: the same measure for every relay. */
final class ProcessCpu {
    /** USER_HZ: the unit of the times in /proc/PID/stat and /proc/stat on Linux. */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {}

    static double seconds(long pid) throws java.io.IOException {
        // the command name (field 2) may hold spaces: fields are counted after its closing parenthesis
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ", 2)[1].split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        return ticks / TICKS_PER_SECOND;
    }
}
