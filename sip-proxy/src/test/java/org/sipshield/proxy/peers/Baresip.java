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
 * SDES-SRTP mandatory (srtp module, RTP/SAVP). It runs for a bounded time (-t) with the SIP trace on
 * (-s), so the test can read the SDP it saw.
 */
public final class Baresip implements AutoCloseable {
    private static final Pattern TRACE_HEADER = Pattern.compile("^(UDP|TCP|TLS) (\\S+) -> (\\S+)$");

    public final int sipPort;
    public final Path directory;
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
        this.directory = Files.createDirectories(directory);
        this.sipPort = portWithNextFree();
        this.log = directory.resolve("baresip.log");
        Files.writeString(directory.resolve("config"), String.join("\n",
                "poll_method epoll",
                "sip_listen 127.0.0.1:" + sipPort,
                "sip_trans_def udp",
                "audio_player aubridge,nil",
                "audio_alert aubridge,nil",
                "audio_source aufile," + audioSource,
                "ausrc_srate 8000",
                "auplay_srate 8000",
                "ausrc_channels 1",
                "auplay_channels 1",
                "rtp_ports " + rtpPorts,
                "rtcp_mux " + (rtcpMux ? "yes" : "no"),
                "jitter_buffer_delay 5-10",
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module aufile.so",
                "module aubridge.so",
                "module sndfile.so",
                "module srtp.so",
                "module_app account.so",
                "module_app menu.so",
                "snd_path " + directory,
                ""));
        Files.writeString(directory.resolve("accounts"), "<sip:" + user + "@127.0.0.1:" + sipPort
                + ">;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU" + account + "\n");
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
