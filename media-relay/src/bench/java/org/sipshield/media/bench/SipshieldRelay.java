package org.sipshield.media.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SdesSelection;
import org.sipshield.srtp.SrtpEngine;

/**
 * Our relay in its own JVM ({@link SipshieldRelayProcess}), started with the JVM options
 * production runs with; its CPU is that process's, read from /proc as for rtpengine.
 */
final class SipshieldRelay implements RelayUnderTest {
    private final Process process;
    private final Path log;
    private final PrintStream control;
    private final BufferedReader replies;

    /**
     * @param cpus             the command that places the relay on its CPUs (taskset ...), or empty
     * @param realtimePriority its event loops under SCHED_FIFO at this priority; 0: normal; -1: the relay's default
     */
    SipshieldRelay(List<String> cpus, int threads, int realtimePriority, List<String> jvmOptions) throws Exception {
        log = Files.createTempFile("sipshield-relay", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = Path.of(SipshieldRelay.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> command = new ArrayList<>(cpus);
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", jar, SipshieldRelayProcess.class.getName(), "--threads", Integer.toString(threads)));
        if (realtimePriority >= 0) { // else the relay's default, as the proxy's
            command.addAll(List.of("--realtime-priority", Integer.toString(realtimePriority)));
        }
        process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        control = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        // the JVM may print before main runs (e.g. -XX:StartFlightRecording): passed on, up to "ready"
        String ready = replies.readLine();
        for (int lines = 0; ready != null && !ready.equals("ready") && lines < 100; lines++) {
            System.err.println("sipshield relay: " + ready);
            ready = replies.readLine();
        }
        if (!"ready".equals(ready)) {
            throw new IllegalStateException("sipshield's relay did not start: " + Files.readString(log));
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public String name() {
        return "sipshield";
    }

    /** One command, one reply line: its fields after "ok". */
    private List<String> command(String... fields) throws Exception {
        control.println(String.join("\t", fields));
        String reply = replies.readLine();
        if (reply == null || !reply.startsWith("ok")) {
            throw new IllegalStateException("sipshield's relay answered " + reply + "; its log: " + Files.readString(log));
        }
        List<String> f = Arrays.asList(reply.split("\t"));
        return f.subList(1, f.size());
    }

    @Override
    public Stream open(int index, InetSocketAddress sender, InetSocketAddress receiver) throws Exception {
        // leg A: the phone offers, the relay answers; leg B: the relay offers, the phone answers
        SdesOffer phoneOffer = Keys.negotiator(Keys.LEG_A).createOffer();
        List<String> offer = new ArrayList<>(List.of("offer", Integer.toString(index), sender.getAddress().getHostAddress(),
                Integer.toString(sender.getPort()), receiver.getAddress().getHostAddress(), Integer.toString(receiver.getPort())));
        offer.addAll(phoneOffer.sdpLines());
        List<String> reply = command(offer.toArray(String[]::new));
        int relayPort = Integer.parseInt(reply.get(0));
        SdesSelection phoneA = phoneOffer.accept(reply.get(1)).selection().orElseThrow();
        SdesAnswer phoneB = Keys.negotiator(Keys.LEG_B).answer(reply.subList(2, reply.size()));
        command("answer", Integer.toString(index), phoneB.answerLine().orElseThrow());
        phoneB.selection().orElseThrow().discard(); // the generator's receiver only reads the clear header
        return new Stream(index, new InetSocketAddress(InetAddress.getLoopbackAddress(), relayPort),
                phoneA.openOutbound(SrtpEngine.OPENSSL));
    }

    @Override
    public void closeStreams() throws Exception {
        command("close");
    }

    @Override
    public double cpuSeconds() throws Exception {
        return ProcessCpu.seconds(process.pid());
    }

    @Override
    public long allocatedBytes() throws Exception {
        return Long.parseLong(command("allocated").get(0));
    }

    @Override
    public void close() throws Exception {
        control.close(); // end of input stops the relay
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        // what went wrong in the relay during the run (a budget's demotions, a watchdog's let-downs), said at WARN
        for (String line : Files.readAllLines(log)) {
            if (line.contains(" WARN ")) {
                System.out.println("  sipshield relay log: " + line);
            }
        }
        Files.deleteIfExists(log);
    }

    /** The JVM options of the launcher's `run` (one per line, # comments), as production starts. */
    static List<String> launcherJvmOptions(File file) throws Exception {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(file.toPath())) {
            int comment = line.indexOf('#');
            String option = (comment < 0 ? line : line.substring(0, comment)).strip();
            if (!option.isEmpty()) {
                options.add(option);
            }
        }
        return options;
    }
}
