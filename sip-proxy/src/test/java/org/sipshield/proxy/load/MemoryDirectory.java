package org.sipshield.proxy.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The proxy's data directory for a load test, in memory (/dev/shm) where the machine has it. The
 * registrar writes every binding with synchronous=FULL, one fsync or more per REGISTER: on this
 * project's VM's disk that alone caps registrations at about 100 a second (fsync ~250/s), and
 * on a CI runner's disk it is anyone's guess. These tests are about liveness with thousands of
 * phones, not about the disk, so the disk is taken out of the run; without /dev/shm the given
 * fallback (a JUnit @TempDir) is used and the load simply takes longer.
 */
final class MemoryDirectory implements AutoCloseable {
    private static final Path SHM = Path.of("/dev/shm");

    private final Path path;
    private final boolean owned;

    MemoryDirectory(Path fallback) throws IOException {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            path = Files.createTempDirectory(SHM, "sipshield-load-");
            owned = true;
        } else {
            path = fallback;
            owned = false;
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (!owned) {
            return;
        }
        try (var files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
