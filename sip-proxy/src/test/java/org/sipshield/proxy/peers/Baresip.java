package org.sipshield.proxy.peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's baresip as a headless SIP phone: its own config directory, SIP on a fixed loopback
 * port, audio from a WAV file (aufile) and every decoded/encoded stream recorded as WAV (sndfile),
 * SDES-SRTP mandatory (srtp module, RTP/SAVP) unless its accounts line says otherwise. It runs for a
 * bounded time (-t) with the SIP trace on (-s), so the test can read the SDP it saw.
 *
 * <p>What Debian's baresip 1.0.0 can do, which the tests are built around: UDP, TCP and TLS (TLS on
 * the port above its SIP port); four SDES suites (AES_CM_128_HMAC_SHA1_80/_32, AEAD_AES_128_GCM,
 * AEAD_AES_256_GCM, not the AES_256_CM ones); as offerer it always offers AES_CM_128_HMAC_SHA1_80
 * alone, as answerer it takes the first offered line it knows. No setting changes that.
 */
public final class Baresip implements AutoCloseable {
    private static final Pattern TRACE_HEADER = Pattern.compile("^(UDP|TCP|TLS) (\\S+) -> (\\S+)$");

    public final int sipPort;
    public final Path directory;
    private final int consolePort;
    private final Path log;
    private Process process;

    /**
     * @param rtpPorts the range baresip takes its RTP ports from, e.g. "36000-36199"
     * @param account  the accounts line's parameters after the AOR (e.g. ";answermode=auto")
     */
    public Baresip(Path directory, String user, Path audioSource, String rtpPorts, String account) throws IOException {
        this(directory, user, audioSource, rtpPorts, account, false);
    }

    /** @param rtcpMux whether baresip offers RTCP on the RTP port (RFC 5761) */
    public Baresip(Path directory, String user, Path audioSource, String rtpPorts, String account, boolean rtcpMux)
            throws IOException {
        this(directory, audioSource, rtpPorts, sipPort -> "<sip:" + user + "@127.0.0.1:" + sipPort
                + ">;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU" + account, List.of("rtcp_mux " + (rtcpMux ? "yes" : "no")));
    }

    /**
     * A baresip with its whole accounts line given (it gets baresip's own SIP port, which is chosen
     * here) and further config lines (e.g. "sip_cafile ..."). Its console listens on a UDP port
     * ({@link #command}), so a test can dial once a registration has completed.
     */
    public Baresip(Path directory, Path audioSource, String rtpPorts, java.util.function.IntFunction<String> accountLine,
            List<String> extraConfig) throws IOException {
        this.directory = Files.createDirectories(directory);
        this.sipPort = portWithNextFree();
        this.consolePort = FreePorts.udpAndTcp();
        this.log = directory.resolve("baresip.log");
        List<String> config = new ArrayList<>(List.of(
                "poll_method epoll",
                "sip_listen 127.0.0.1:" + sipPort,
                // without it baresip writes the machine's first non-loopback address into its SDP
                "net_interface 127.0.0.1",
                "sip_trans_def udp",
                "audio_player aubridge,nil",
                "audio_alert aubridge,nil",
                "audio_source aufile," + audioSource,
                "ausrc_srate 8000",
                "auplay_srate 8000",
                "ausrc_channels 1",
                "auplay_channels 1",
                "rtp_ports " + rtpPorts,
                "rtcp_mux no",
                "jitter_buffer_delay 5-10",
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module aufile.so",
                "module aubridge.so",
                "module sndfile.so",
                "module srtp.so",
                "module cons.so",
                "cons_listen 127.0.0.1:" + consolePort,
                "module_app account.so",
                "module_app menu.so",
                "snd_path " + directory));
        for (String extra : extraConfig) {  // an extra line replaces the default of the same key (modules add up)
            String key = extra.split("\\s+", 2)[0];
            if (!key.startsWith("module")) {
                config.removeIf(line -> line.split("\\s+", 2)[0].equals(key));
            }
            config.add(extra);
        }
        config.add("");
        Files.writeString(directory.resolve("config"), String.join("\n", config));
        Files.writeString(directory.resolve("accounts"), accountLine.apply(sipPort) + "\n");
    }

    /** baresip also binds SIP over TLS on the port above its SIP port. */
    private static int portWithNextFree() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = FreePorts.udpAndTcp();
            try (ServerSocket tcp = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // next
            }
        }
        throw new IllegalStateException("no two consecutive free ports for baresip");
    }

    /** Starts baresip for at most {@code seconds}, running {@code commands} (e.g. "/dial sip:...") at start. */
    public void start(int seconds, String... commands) throws IOException {
        List<String> command = new ArrayList<>(List.of("baresip", "-f", directory.toString(), "-s", "-t", Integer.toString(seconds)));
        for (String c : commands) {
            command.add("-e");
            command.add(c);
        }
        process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** Waits (bounded) for the run to end and returns its output. */
    public String awaitExit(int seconds) throws IOException, InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        return output();
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    /** The a=crypto lines of the SIP messages baresip received (from the trace), each once (retransmissions). */
    public List<String> receivedCryptoLines() throws IOException {
        return sdpLines("a=crypto:", false);
    }

    /** The a=crypto lines baresip sent, each once. */
    public List<String> sentCryptoLines() throws IOException {
        return sdpLines("a=crypto:", true);
    }

    /** The lines starting with {@code prefix} of the SIP messages baresip sent or received, each once. */
    public List<String> sdpLines(String prefix, boolean sentByBaresip) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean wanted = false;
        for (String line : output().split("\r?\n")) {
            Matcher header = TRACE_HEADER.matcher(line.strip());
            if (header.matches()) {
                wanted = header.group(sentByBaresip ? 2 : 3).endsWith(":" + sipPort);
            } else if (wanted && line.strip().startsWith(prefix)) {
                lines.add(line.strip());
            }
        }
        return lines.stream().distinct().toList();
    }

    /** Sends a command line (e.g. "/dial sip:...") to the running baresip's UDP console. */
    public void command(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.send(new java.net.DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), consolePort));
        }
    }

    /** Waits (bounded) until the output contains {@code text}; false if baresip ended or time ran out first. */
    public boolean awaitOutput(String text, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return true;
            }
            if (process != null && !process.isAlive()) {
                return output().contains(text);
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * The SIP messages of the trace (-s) exchanged with {@code remote} ("host:port"), each as its
     * text, in order: received ones when {@code received}, else sent ones. On TCP and TLS baresip
     * speaks from an ephemeral port, so the direction is told by the far side's address.
     */
    public List<String> messages(boolean received, String remote) throws IOException {
        List<String> messages = new ArrayList<>();
        StringBuilder current = null;
        for (String line : output().split("\r?\n")) {
            Matcher header = TRACE_HEADER.matcher(line.strip());
            if (header.matches()) {
                current = null;
                if ((received ? header.group(2) : header.group(3)).equals(remote)) {
                    current = new StringBuilder();
                    messages.add(""); // filled below
                }
                continue;
            }
            if (current != null) {
                current.append(line.strip()).append('\n');
                messages.set(messages.size() - 1, current.toString());
            }
        }
        return messages;
    }

    /** The WAV file sndfile recorded of the audio baresip decoded (what it heard). */
    public Path decodedRecording() throws IOException {
        try (var files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-dec.wav")).findFirst()
                    .orElseThrow(() -> new AssertionError("baresip recorded nothing in " + directory));
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
