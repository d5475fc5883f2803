package org.sipshield.srtp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * The "SRTP Ciphers" parameter of the reference guide: which crypto suites may be negotiated,
 * best first. The answerer always picks by this order, whatever the offer's order.
 */
public final class SrtpCipherPolicy {
    /** Strongest: AEAD AES-256 GCM cipher only. */
    public static final SrtpCipherPolicy STRONGEST = new SrtpCipherPolicy("STRONGEST", List.of(CryptoSuite.AEAD_AES_256_GCM));
    /** Medium: AEAD AES-256 and AES-128 GCM ciphers only. */
    public static final SrtpCipherPolicy MEDIUM = new SrtpCipherPolicy("MEDIUM",
            List.of(CryptoSuite.AEAD_AES_256_GCM, CryptoSuite.AEAD_AES_128_GCM));
    /** All (the default): GCM first, then AES-256-CM, then AES-128-CM with 80-bit before 32-bit tags. F8 excluded. */
    public static final SrtpCipherPolicy ALL = new SrtpCipherPolicy("ALL", List.of(
            CryptoSuite.AEAD_AES_256_GCM, CryptoSuite.AEAD_AES_128_GCM,
            CryptoSuite.AES_256_CM_HMAC_SHA1_80, CryptoSuite.AES_256_CM_HMAC_SHA1_32,
            CryptoSuite.AES_CM_128_HMAC_SHA1_80, CryptoSuite.AES_CM_128_HMAC_SHA1_32));
    public static final SrtpCipherPolicy DEFAULT = ALL;

    private final String name;
    private final List<CryptoSuite> suites;

    private SrtpCipherPolicy(String name, List<CryptoSuite> suites) {
        this.name = name;
        this.suites = suites;
    }

    /**
     * An explicit list, best first: the only way to allow {@link CryptoSuite#F8_128_HMAC_SHA1_80}.
     *
     * @throws IllegalArgumentException if empty or with duplicates
     */
    public static SrtpCipherPolicy of(List<CryptoSuite> suitesBestFirst) {
        Objects.requireNonNull(suitesBestFirst, "suites");
        if (suitesBestFirst.isEmpty()) {
            throw new IllegalArgumentException("an SRTP cipher policy needs at least one crypto suite");
        }
        EnumSet<CryptoSuite> seen = EnumSet.noneOf(CryptoSuite.class);
        for (CryptoSuite s : suitesBestFirst) {
            if (!seen.add(Objects.requireNonNull(s, "suite"))) {
                throw new IllegalArgumentException("crypto suite listed twice: " + s);
            }
        }
        List<CryptoSuite> copy = Collections.unmodifiableList(new ArrayList<>(suitesBestFirst));
        return new SrtpCipherPolicy("CUSTOM" + copy, copy);
    }

    /**
     * This policy with F8_128_HMAC_SHA1_80 allowed after every other suite: an answerer picks it
     * only from an offer with nothing better, and our offers list it last.
     */
    public SrtpCipherPolicy withF8Last() {
        if (allows(CryptoSuite.F8_128_HMAC_SHA1_80)) {
            return this;
        }
        List<CryptoSuite> more = new ArrayList<>(suites);
        more.add(CryptoSuite.F8_128_HMAC_SHA1_80);
        return new SrtpCipherPolicy(name + "+F8", Collections.unmodifiableList(more));
    }

    /** STRONGEST, MEDIUM or ALL, as the configuration names them (case-insensitive). */
    public static SrtpCipherPolicy named(String name) {
        switch (name.trim().toUpperCase(java.util.Locale.ROOT)) {
            case "STRONGEST": return STRONGEST;
            case "MEDIUM": return MEDIUM;
            case "ALL": return ALL;
            default: throw new IllegalArgumentException("unknown SRTP Ciphers value '" + name + "' (allowed: STRONGEST, MEDIUM, ALL)");
        }
    }

    /** Allowed suites, best first. */
    public List<CryptoSuite> suites() {
        return suites;
    }

    public boolean allows(CryptoSuite suite) {
        return suites.contains(suite);
    }

    /** Position in the preference order (0 = best), or -1 if not allowed. */
    public int rank(CryptoSuite suite) {
        return suites.indexOf(suite);
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "SrtpCipherPolicy[" + name + "]";
    }
}
