package org.sipshield.proxy.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Reads the kernel's socket tables (/proc/net/udp, /proc/net/tcp) to see whether a peer has bound its socket. */
final class SocketTable {
    private static final String TCP_LISTEN = "0A";

    private SocketTable() {}

    static boolean isBound(String ip, int port, boolean udp) {
        try {
            byte[] address = InetAddress.getByName(ip).getAddress();
            // /proc/net prints an IPv4 address as one little-endian 32-bit word in hex
            String local = String.format(Locale.ROOT, "%02X%02X%02X%02X:%04X", address[3], address[2], address[1],
                    address[0], port);
            List<String> lines = Files.readAllLines(Path.of(udp ? "/proc/net/udp" : "/proc/net/tcp"));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields[1].equals(local) && (udp || TCP_LISTEN.equals(fields[3]))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the socket table: " + e.getMessage(), e);
        }
    }
}
