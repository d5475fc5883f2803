package org.sipshield.media;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * This JVM's open-file limit (RLIMIT_NOFILE), lowered for a moment and lifted again: a real way to
 * have the kernel refuse sockets part-way through something, with EMFILE as in production. The limit
 * is set by util-linux's prlimit(1), run by a shell started before any cap: lifting a cap must not
 * need a new descriptor in this process, which a process at its limit cannot get.
 */
final class OpenFileLimit implements AutoCloseable {
    private final Process shell;
    private final Writer commands;
    private final BufferedReader answers;
    private final long softAtStart;

    private OpenFileLimit(Process shell, long softAtStart) {
        this.shell = shell;
        this.commands = new OutputStreamWriter(shell.getOutputStream(), StandardCharsets.US_ASCII);
        this.answers = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII));
        this.softAtStart = softAtStart;
    }

    static OpenFileLimit ofThisProcess() throws IOException {
        long soft = softLimit();
        Process shell = new ProcessBuilder("sh", "-c", "while read soft; do prlimit --pid " + ProcessHandle.current().pid()
                + " --nofile=\"$soft\": 2>&1 && echo ok; done").redirectErrorStream(true).start();
        return new OpenFileLimit(shell, soft);
    }

    /**
     * From now on this process may open {@code room} more descriptors. The kernel hands out the lowest
     * free number and refuses one at or above the soft limit (EMFILE), so the limit goes where exactly
     * {@code room} numbers below it are free (the hard limit stays).
     */
    void capWithRoomFor(int room) throws IOException {
        Set<Integer> taken = new HashSet<>();
        for (String fd : openDescriptors()) {
            taken.add(Integer.parseInt(fd.substring(0, fd.indexOf(' '))));
        }
        int limit = 0;
        for (int free = 0; taken.contains(limit) || free < room; limit++) {
            if (!taken.contains(limit)) {
                free++;
            }
        }
        set(limit);
    }

    /** Back to the limit this process had. */
    void lift() throws IOException {
        set(softAtStart);
    }

    private void set(long soft) throws IOException {
        commands.write(soft + "\n");
        commands.flush();
        String answer = answers.readLine();
        if (!"ok".equals(answer)) {
            throw new IOException("prlimit --nofile=" + soft + ": " + answer);
        }
    }

    /** The descriptors this process has open now, each as "fd -> what it is" (socket:[inode], a path...), in order. */
    static List<String> openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            Path listing = Path.of("/proc/" + ProcessHandle.current().pid() + "/fd");
            return fds.map(fd -> {
                try {
                    Path what = Files.readSymbolicLink(fd);
                    return what.equals(listing) ? null : fd.getFileName() + " -> " + what; // not the listing's own
                } catch (IOException gone) {
                    return null;
                }
            }).filter(Objects::nonNull).sorted().collect(Collectors.toList());
        }
    }

    /**
     * {@link #openDescriptors()}, looked at again for up to a second while it differs from {@code expected}:
     * another thread of this JVM may hold a descriptor for a moment (a class read from a directory, for
     * one), where a leak stays.
     */
    static List<String> openDescriptorsOnceSettled(List<String> expected) throws IOException, InterruptedException {
        List<String> now = openDescriptors();
        for (int look = 0; look < 20 && !now.equals(expected); look++) {
            Thread.sleep(50);
            now = openDescriptors();
        }
        return now;
    }

    private static long softLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no 'Max open files' in /proc/self/limits");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            lift();
        } finally {
            commands.close();
            if (!shell.waitFor(10, TimeUnit.SECONDS)) {
                shell.destroyForcibly();
            }
        }
    }
}
