package org.sipshield.media;

import java.net.InetSocketAddress;
import org.sipshield.jni.UdpNative;

/**
 * A peer's address as the packet path compares it: a port and the four words of its IPv6 (or
 * IPv4-mapped) address, laid out as {@link UdpNative#pack} writes them. A received datagram's
 * source is matched against it as plain ints, without making an {@link InetSocketAddress}.
 * Immutable; made only by signalling or when a leg latches, never per packet.
 */
final class PeerAddress {
    private final int port;
    private final int w0;
    private final int w1;
    private final int w2;
    private final int w3;

    private PeerAddress(int[] words, int at) {
        this.port = words[at];
        this.w0 = words[at + 1];
        this.w1 = words[at + 2];
        this.w2 = words[at + 3];
        this.w3 = words[at + 4];
    }

    /** The address at {@code words[at..at + UdpNative.ADDRESS_INTS)}. */
    static PeerAddress copyOf(int[] words, int at) {
        return new PeerAddress(words, at);
    }

    /** {@code address} as the packet path sees it; null for null or an unresolved address (nowhere to send). */
    static PeerAddress of(InetSocketAddress address) {
        if (address == null || address.getAddress() == null) {
            return null;
        }
        int[] words = new int[UdpNative.ADDRESS_INTS];
        UdpNative.pack(address, words, 0);
        return new PeerAddress(words, 0);
    }

    /** Whether the address at {@code words[at..]} is this one. */
    boolean matches(int[] words, int at) {
        return words[at] == port && words[at + 4] == w3 && words[at + 1] == w0 && words[at + 2] == w1 && words[at + 3] == w2;
    }

    /** Writes this address at {@code words[at..]}. */
    void writeTo(int[] words, int at) {
        words[at] = port;
        words[at + 1] = w0;
        words[at + 2] = w1;
        words[at + 3] = w2;
        words[at + 4] = w3;
    }

    /** Off the packet path (logs): allocates. */
    InetSocketAddress toSocketAddress() {
        int[] words = new int[UdpNative.ADDRESS_INTS];
        writeTo(words, 0);
        return UdpNative.unpack(words, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerAddress p && p.port == port && p.w0 == w0 && p.w1 == w1 && p.w2 == w2 && p.w3 == w3;
    }

    @Override
    public int hashCode() {
        return ((port * 31 + w0) * 31 + w1) * 31 + w2 * 31 + w3;
    }

    @Override
    public String toString() {
        return toSocketAddress().toString();
    }
}
