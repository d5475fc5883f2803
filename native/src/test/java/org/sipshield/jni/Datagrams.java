package org.sipshield.jni;

/** Datagrams for the UDP tests: each length and seed gives its own bytes, so a datagram can be told from another. */
final class Datagrams {
    private Datagrams() {}

    static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }
}
