package org.sipshield.proxy.peers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A health checker beside a load: from its own address it sends OPTIONS pings to the proxy one
 * after another, each one a UDP transaction as RFC 3261 runs it (retransmitted after 0.5, 1, 2, 4,
 * 4, ... s, given up after Timer F = 32 s), and counts the pings answered 200, answered otherwise,
 * and never answered. A proxy that stops answering while it is loaded is what this is for; how
 * fast it answers is only reported.
 */
public final class OptionsProber implements AutoCloseable {
    private static final long T1_MILLIS = 500;
    private static final long T2_MILLIS = 4000;
    private static final long TIMER_F_MILLIS = 64 * T1_MILLIS;

    private final DatagramSocket socket;
    private final InetAddress proxy;
    private final int proxyPort;
    private final long pauseMillis;
    private final Thread thread;
    private volatile boolean stopping;
    private int sent;
    private int answered200;
    private long slowestMillis;
    private final List<String> failures = new ArrayList<>();

    /** Starts pinging at once, pauseMillis between the end of one ping and the next. */
    public OptionsProber(String localIp, String proxyIp, int proxyPort, long pauseMillis) throws IOException {
        this.socket = new DatagramSocket(0, InetAddress.getByName(localIp));
        this.proxy = InetAddress.getByName(proxyIp);
        this.proxyPort = proxyPort;
        this.pauseMillis = pauseMillis;
        this.thread = new Thread(this::run, "options-prober");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        int n = 0;
        while (!stopping) {
            ping(++n);
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void ping(int n) {
        String callId = "probe-" + n + "-" + System.nanoTime() + "@" + socket.getLocalAddress().getHostAddress();
        String local = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
        byte[] request = ("OPTIONS sip:" + proxy.getHostAddress() + ":" + proxyPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + local + ";rport;branch=z9hG4bK-probe-" + n + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@" + local + ">;tag=probe" + n + "\r\n"
                + "To: <sip:" + proxy.getHostAddress() + ":" + proxyPort + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Accept: application/sdp\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        long start = System.nanoTime();
        long interval = T1_MILLIS;
        long nextSend = 0;
        byte[] buffer = new byte[65535];
        synchronized (this) {
            sent++;
        }
        try {
            while (true) {
                long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (elapsed >= TIMER_F_MILLIS) {
                    fail("ping " + n + " (" + callId + "): no final answer within Timer F (32 s)");
                    return;
                }
                if (elapsed >= nextSend) {
                    socket.send(new DatagramPacket(request, request.length, proxy, proxyPort));
                    nextSend = elapsed + interval;
                    interval = Math.min(interval * 2, T2_MILLIS);
                }
                socket.setSoTimeout((int) Math.max(1, Math.min(nextSend, TIMER_F_MILLIS) - elapsed));
                DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(answer);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                String message = new String(buffer, 0, answer.getLength(), StandardCharsets.ISO_8859_1);
                if (!callId.equals(UdpSipClient.header(message, "Call-ID")) || message.matches("(?s)SIP/2\\.0 1\\d\\d .*")) {
                    continue; // a late answer to an earlier ping's retransmission, or a provisional
                }
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                synchronized (this) {
                    slowestMillis = Math.max(slowestMillis, took);
                    if (message.startsWith("SIP/2.0 200 ")) {
                        answered200++;
                    } else {
                        failures.add("ping " + n + ": " + message.lines().findFirst().orElse(""));
                    }
                }
                return;
            }
        } catch (IOException e) {
            fail("ping " + n + ": " + e);
        }
    }

    private synchronized void fail(String what) {
        failures.add(what);
    }

    /** Stops after the ping under way has ended (bounded by Timer F) and returns what was seen. */
    public Report stop() {
        stopping = true;
        try {
            thread.join(TIMER_F_MILLIS + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            return new Report(sent, answered200, List.copyOf(failures), slowestMillis, thread.isAlive());
        }
    }

    /** Pings that have ended with a 200 so far. */
    public synchronized int answered() {
        return answered200;
    }

    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        socket.close();
    }

    /**
     * @param slowestMillis reported, never judged: the longest a ping waited for its 200
     */
    public record Report(int sent, int answered200, List<String> failures, long slowestMillis, boolean stillRunning) {
        @Override
        public String toString() {
            return sent + " OPTIONS pings, " + answered200 + " answered 200, slowest answer " + slowestMillis + " ms"
                    + (failures.isEmpty() ? "" : ", failures: " + failures.subList(0, Math.min(10, failures.size())))
                    + (stillRunning ? ", prober still running" : "");
        }
    }
}
