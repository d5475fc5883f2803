package org.sipshield.tls;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The TLS policy of the whole proxy, immutable and validated when built: minimum TLS version,
 * TLS 1.3 on or off, the TLS Ciphers option, and the cipher management strings all-tls,
 * sip-tls and https-tls. The rules are the reference's:
 * <ul>
 * <li>sip-tls (https-tls) overrides all-tls on its interface; a string, when set, overrides the
 * TLS Ciphers option;</li>
 * <li>the never-allowed suites are removed whatever a string says;</li>
 * <li>AUTHENTICATED device security mode uses the NULL-SHA suites, and is no longer available
 * once a sip-tls or all-tls string is set;</li>
 * <li>curves: P-256, P-384 and P-521, the client's preference wins.</li>
 * </ul>
 */
public final class TlsPolicy {
    /** The reference's curves; RSA suites use any of them, an ECDSA certificate needs its own curve offered. */
    public static final List<String> NAMED_GROUPS = List.of("secp521r1", "secp384r1", "secp256r1");

    /** The reference's NULL-SHA suites for AUTHENTICATED mode, forward-secret ones first. */
    static final List<String> AUTHENTICATED_MODE_SUITES = List.of("TLS_ECDHE_RSA_WITH_NULL_SHA",
            "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "TLS_RSA_WITH_NULL_SHA256", "TLS_RSA_WITH_NULL_SHA");

    private final TlsVersion minimumVersion;
    private final boolean tls13Enabled;
    private final TlsCiphersOption tlsCiphers;
    private final Optional<CipherString> allTls;
    private final Optional<CipherString> sipTls;
    private final Optional<CipherString> httpsTls;

    private TlsPolicy(Builder builder) {
        this.minimumVersion = builder.minimumVersion;
        this.tls13Enabled = builder.tls13Enabled;
        this.tlsCiphers = builder.tlsCiphers;
        this.allTls = parse("all-tls", builder.allTls);
        this.sipTls = parse("sip-tls", builder.sipTls);
        this.httpsTls = parse("https-tls", builder.httpsTls);
    }

    /** Defaults: minimum TLS 1.2, TLS 1.3 on, All Ciphers RSA Preferred, no cipher strings. */
    public static TlsPolicy defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * From plain config values; null means "not set". Throws IllegalArgumentException (an
     * {@link InvalidCipherStringException} for a bad string) naming the field and the problem.
     */
    public static TlsPolicy of(String minimumVersion, Boolean tls13Enabled, String tlsCiphers, String allTls,
            String sipTls, String httpsTls) {
        Builder builder = builder();
        if (minimumVersion != null) {
            builder.minimumVersion(TlsVersion.ofMinimum(minimumVersion));
        }
        if (tls13Enabled != null) {
            builder.tls13Enabled(tls13Enabled);
        }
        if (tlsCiphers != null) {
            builder.tlsCiphers(TlsCiphersOption.fromName(tlsCiphers));
        }
        return builder.allTls(allTls).sipTls(sipTls).httpsTls(httpsTls).build();
    }

    public TlsVersion minimumVersion() {
        return minimumVersion;
    }

    public boolean tls13Enabled() {
        return tls13Enabled;
    }

    public TlsCiphersOption tlsCiphers() {
        return tlsCiphers;
    }

    public Optional<CipherString> allTls() {
        return allTls;
    }

    public Optional<CipherString> sipTls() {
        return sipTls;
    }

    public Optional<CipherString> httpsTls() {
        return httpsTls;
    }

    /** False once a sip-tls or all-tls string is configured: the reference revokes NULL ciphers then. */
    public boolean authenticatedModeAvailable() {
        return sipTls.isEmpty() && allTls.isEmpty();
    }

    /** The HTTPS interface, or the SIP interface for encrypting profiles only. */
    public EffectiveTlsSettings effective(CertificatePurpose tlsInterface) {
        return effective(tlsInterface, EnumSet.of(TlsProtection.ENCRYPTION));
    }

    /**
     * The settings of a listener (or outbound connection) serving profiles that need these
     * protections. A SIP listener serving both ENCRYPTION and INTEGRITY offers the encrypting suites
     * first and the NULL suites last, so the server's preference encrypts whenever the peer can;
     * check the negotiated suite against the peer's profile with {@link #suiteProvides}.
     *
     * @throws IllegalArgumentException for INTEGRITY only, when a cipher string revoked it
     */
    public EffectiveTlsSettings effective(CertificatePurpose tlsInterface, Set<TlsProtection> protections) {
        Objects.requireNonNull(tlsInterface, "tlsInterface");
        if (protections == null || protections.isEmpty()) {
            throw new IllegalArgumentException("a TLS listener serves at least one device security mode");
        }
        boolean encrypted = tlsInterface == CertificatePurpose.HTTPS || protections.contains(TlsProtection.ENCRYPTION);
        boolean authenticated = tlsInterface == CertificatePurpose.SIP && protections.contains(TlsProtection.INTEGRITY);
        if (authenticated && !authenticatedModeAvailable()) {
            if (!encrypted) {
                throw new IllegalArgumentException("AUTHENTICATED device security mode is not available: "
                        + "a " + (sipTls.isPresent() ? "sip-tls" : "all-tls")
                        + " cipher string is configured, which revokes the NULL-SHA ciphers");
            }
            authenticated = false;
        }
        Optional<CipherString> string = tlsInterface == CertificatePurpose.SIP ? sipTls : httpsTls;
        String source;
        if (string.isPresent()) {
            source = tlsInterface.fileStem() + "-tls '" + string.get().text() + "'";
        } else if (allTls.isPresent()) {
            string = allTls;
            source = "all-tls '" + allTls.get().text() + "'";
        } else {
            source = "TLS Ciphers: " + tlsCiphers.displayName();
        }

        List<String> tls13 = new ArrayList<>();
        List<CipherSuite> classic = new ArrayList<>();
        if (encrypted) {
            tls13.addAll(tls13Enabled ? tls13SuitesFor(string) : List.of());
            classic.addAll(string.isPresent() ? NeverAllowedCiphers.remove(string.get().suites()) : tlsCiphers.suites());
        }
        if (authenticated) {
            source = encrypted ? source + "; AUTHENTICATED mode: NULL-SHA" : "AUTHENTICATED mode: NULL-SHA";
            AUTHENTICATED_MODE_SUITES.forEach(name -> classic.add(CipherSuiteCatalog.iana(name)));
        }
        List<TlsVersion> protocols = new ArrayList<>();
        for (TlsVersion version : TlsVersion.values()) {
            boolean usable = version == TlsVersion.TLS_1_3
                    ? !tls13.isEmpty()
                    : version.compareTo(minimumVersion) >= 0 && classic.stream().anyMatch(s -> s.worksWith(version));
            if (usable) {
                protocols.add(version);
            }
        }
        List<String> suites = new ArrayList<>(tls13);
        classic.stream().filter(s -> protocols.stream().anyMatch(s::worksWith)).forEach(s -> suites.add(s.ianaName()));
        if (suites.isEmpty() || protocols.isEmpty()) {
            throw new IllegalArgumentException(source + " leaves no cipher suite for TLS "
                    + minimumVersion.number() + " and newer" + (tls13Enabled ? "" : " (TLS 1.3 is switched off: tls13)"));
        }
        return new EffectiveTlsSettings(tlsInterface, protocols, suites, NAMED_GROUPS, source);
    }

    /**
     * Whether a negotiated suite gives the protection a profile promises: ENCRYPTION needs an
     * encrypting suite; INTEGRITY is met by any suite we know (encryption on top is not a
     * loss). Fails closed: no suite, no protection, or a suite we cannot classify provides nothing.
     */
    public static boolean suiteProvides(String negotiatedSuite, TlsProtection protection) {
        if (negotiatedSuite == null || protection == null) {
            return false;
        }
        boolean tls13 = negotiatedSuite.equals(CipherSuiteCatalog.TLS13_AES_256_GCM_SHA384)
                || negotiatedSuite.equals(CipherSuiteCatalog.TLS13_AES_128_GCM_SHA256)
                || negotiatedSuite.equals(CipherSuiteCatalog.TLS13_CHACHA20_POLY1305_SHA256);
        boolean tls13Null = negotiatedSuite.equals("TLS_SHA256_SHA256") || negotiatedSuite.equals("TLS_SHA384_SHA384");
        Optional<CipherSuite> classic = CipherSuiteCatalog.byIanaName(negotiatedSuite);
        if (!tls13 && !tls13Null && classic.isEmpty()) {
            return false;
        }
        boolean nullEncryption = tls13Null || classic.map(CipherSuite::isNullEncryption).orElse(false);
        return protection == TlsProtection.INTEGRITY || !nullEncryption;
    }

    /**
     * TLS 1.3 suites: a cipher string governs them like the others (its TLS 1.3 part, which may
     * be empty: TLS 1.3 off); without a string, the TLS Ciphers option's.
     */
    private List<String> tls13SuitesFor(Optional<CipherString> string) {
        return string.isPresent() ? string.get().tls13Suites().stream().map(CipherSuite::ianaName).toList()
                : tlsCiphers.tls13Suites();
    }

    private static Optional<CipherString> parse(String field, String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        CipherString string;
        try {
            string = CipherString.parse(text);
        } catch (InvalidCipherStringException e) {
            throw new InvalidCipherStringException(text, e.problem(), field);
        }
        if (NeverAllowedCiphers.remove(string.suites()).isEmpty() && string.tls13Suites().isEmpty()) {
            throw new InvalidCipherStringException(text, "it selects only never-allowed cipher suites ("
                    + String.join(", ", string.suites().stream().map(CipherSuite::opensslName).toList()) + ")", field);
        }
        return Optional.of(string);
    }

    @Override
    public String toString() {
        return "TlsPolicy[minimum=" + minimumVersion.number() + ", tls13=" + tls13Enabled + ", tlsCiphers="
                + tlsCiphers + allTls.map(s -> ", all-tls='" + s + "'").orElse("")
                + sipTls.map(s -> ", sip-tls='" + s + "'").orElse("")
                + httpsTls.map(s -> ", https-tls='" + s + "'").orElse("") + "]";
    }

    public static final class Builder {
        private TlsVersion minimumVersion = TlsVersion.TLS_1_2;
        private boolean tls13Enabled = true;
        private TlsCiphersOption tlsCiphers = TlsCiphersOption.DEFAULT;
        private String allTls;
        private String sipTls;
        private String httpsTls;

        private Builder() {}

        /** 1.0, 1.1 or 1.2 (default 1.2). */
        public Builder minimumVersion(TlsVersion version) {
            if (Objects.requireNonNull(version, "version") == TlsVersion.TLS_1_3) {
                throw new IllegalArgumentException("the minimum TLS version is 1.0, 1.1 or 1.2; TLS 1.3 is switched on its own");
            }
            this.minimumVersion = version;
            return this;
        }

        public Builder tls13Enabled(boolean enabled) {
            this.tls13Enabled = enabled;
            return this;
        }

        public Builder tlsCiphers(TlsCiphersOption option) {
            this.tlsCiphers = Objects.requireNonNull(option, "option");
            return this;
        }

        public Builder allTls(String cipherString) {
            this.allTls = cipherString;
            return this;
        }

        public Builder sipTls(String cipherString) {
            this.sipTls = cipherString;
            return this;
        }

        public Builder httpsTls(String cipherString) {
            this.httpsTls = cipherString;
            return this;
        }

        public TlsPolicy build() {
            return new TlsPolicy(this);
        }
    }
}
