package org.sipshield.srtp;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Master Key Identifier: a value carried in a fixed number of octets at the end of every packet
 * (RFC 3711 3.1, RFC 4568 "MKI:length"). Not secret.
 */
public final class Mki {
    public static final int MAX_LENGTH = 128;

    private final BigInteger value;
    private final int length;

    private Mki(BigInteger value, int length) {
        this.value = value;
        this.length = length;
    }

    /**
     * @throws IllegalArgumentException if the length is outside 1..128 or the value does not fit
     */
    public static Mki of(BigInteger value, int length) {
        Objects.requireNonNull(value, "value");
        if (length < 1 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("MKI length must be 1.." + MAX_LENGTH + " octets, got " + length);
        }
        if (value.signum() < 0 || value.bitLength() > 8 * length) {
            throw new IllegalArgumentException("MKI value does not fit in " + length + " octets");
        }
        return new Mki(value, length);
    }

    public static Mki of(long value, int length) {
        return of(BigInteger.valueOf(value), length);
    }

    public BigInteger value() {
        return value;
    }

    public int length() {
        return length;
    }

    /** The value as it appears in packets: big-endian, exactly {@link #length()} octets. */
    public byte[] toBytes() {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int n = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - n, out, length - n, n);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mki && ((Mki) o).length == length && ((Mki) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode() * 31 + length;
    }

    @Override
    public String toString() {
        return value + ":" + length;
    }

    static boolean sameBytes(Mki a, byte[] b) {
        return Arrays.equals(a.toBytes(), b);
    }
}
