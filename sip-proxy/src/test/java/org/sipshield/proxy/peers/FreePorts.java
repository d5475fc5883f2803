package org.sipshield.proxy.peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports free on 127.0.0.1 for both UDP and TCP at the time of asking, never the same one twice in
 * one JVM: the kernel may hand a just-closed ephemeral port out again at once, and two listeners
 * a test asked for one after the other then collided (seen: TLS and TCP listeners on one port).
 */
public final class FreePorts {
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    public static int udpAndTcp() {
        for (int attempt = 0; attempt < 200; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                if (!HANDED_OUT.add(port)) {
                    continue;
                }
                try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // the UDP side is in use: try another
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP on 127.0.0.1");
    }
}
