package org.sipshield.proxy.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's stunnel4 as the TLS face of a plain-TCP peer (sipp has no TLS): it accepts TLS on
 * address:port with the certificate given and relays each connection to a TCP port on the same
 * address, so a sipp TCP UAS behind it is a TLS SIP server.
 */
public final class Stunnel implements AutoCloseable {
    private final Process process;
    private final Path work;

    private Stunnel(Process process, Path work) {
        this.process = process;
        this.work = work;
    }

    /** certificate: {cert.pem, key.pem} as {@link TestCertificates#issue} makes them. */
    public static Stunnel start(String address, int tlsPort, int tcpPort, Path[] certificate) {
        try {
            Path work = Files.createTempDirectory("stunnel");
            Path conf = work.resolve("stunnel.conf");
            Files.writeString(conf, """
                    foreground = yes
                    pid =
                    debug = 5
                    output = %s
                    [sip]
                    accept = %s:%d
                    connect = %s:%d
                    cert = %s
                    key = %s
                    """.formatted(work.resolve("stunnel.log"), address, tlsPort, address, tcpPort, certificate[0],
                    certificate[1]));
            Process process = new ProcessBuilder(List.of("stunnel4", conf.toString())).redirectErrorStream(true)
                    .redirectOutput(work.resolve("stdout.log").toFile()).start();
            Stunnel stunnel = new Stunnel(process, work);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!SocketTable.isBound(address, tlsPort, false)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    stunnel.close();
                    throw new IllegalStateException("stunnel did not start:\n" + stunnel.log());
                }
                Thread.sleep(20);
            }
            return stunnel;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start stunnel4: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String log() {
        StringBuilder all = new StringBuilder();
        for (String name : List.of("stdout.log", "stunnel.log")) {
            try {
                all.append(Files.readString(work.resolve(name))).append('\n');
            } catch (IOException e) {
                all.append("(no ").append(name).append(")\n");
            }
        }
        return all.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
