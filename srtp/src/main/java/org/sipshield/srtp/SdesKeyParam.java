package org.sipshield.srtp;

import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One RFC 4568 key parameter: {@code inline:<base64 key||salt>[|lifetime][|MKI:length]}. The key
 * is held as an {@link SrtpMasterKey}; {@link #toString()} redacts it.
 */
public final class SdesKeyParam {
    /** RFC 3711: an SRTP master key protects at most 2^48 packets. */
    public static final long MAX_LIFETIME = 1L << 48;

    private final SrtpMasterKey key;
    private final OptionalLong lifetime;
    private final Optional<Mki> mki;

    private SdesKeyParam(SrtpMasterKey key, OptionalLong lifetime, Optional<Mki> mki) {
        this.key = Objects.requireNonNull(key, "key");
        this.lifetime = lifetime;
        this.mki = mki;
    }

    public static SdesKeyParam of(SrtpMasterKey key) {
        return new SdesKeyParam(key, OptionalLong.empty(), Optional.empty());
    }

    /** @throws IllegalArgumentException unless 1 <= packets <= 2^48 */
    public SdesKeyParam withLifetime(long packets) {
        if (packets < 1 || packets > MAX_LIFETIME) {
            throw new IllegalArgumentException("key lifetime must be 1..2^48 packets");
        }
        return new SdesKeyParam(key, OptionalLong.of(packets), mki);
    }

    public SdesKeyParam withMki(Mki value) {
        return new SdesKeyParam(key, lifetime, Optional.of(Objects.requireNonNull(value, "mki")));
    }

    public SrtpMasterKey key() {
        return key;
    }

    /** Packets the key may protect, if the line said. */
    public OptionalLong lifetime() {
        return lifetime;
    }

    public Optional<Mki> mki() {
        return mki;
    }

    /** The canonical form: padded base64, lifetime as 2^n when it is a power of two. Contains the key. */
    String toSdp() {
        byte[] both = key.concatenated();
        StringBuilder b = new StringBuilder("inline:").append(Base64.getEncoder().encodeToString(both));
        java.util.Arrays.fill(both, (byte) 0);
        if (lifetime.isPresent()) {
            long l = lifetime.getAsLong();
            b.append('|').append(Long.bitCount(l) == 1 ? "2^" + Long.numberOfTrailingZeros(l) : Long.toString(l));
        }
        mki.ifPresent(m -> b.append('|').append(m.value()).append(':').append(m.length()));
        return b.toString();
    }

    @Override
    public String toString() {
        return "inline:<redacted>" + (lifetime.isPresent() ? "|" + lifetime.getAsLong() : "")
                + mki.map(m -> "|" + m).orElse("");
    }
}
