package org.sipshield.tls;

import java.util.List;
import java.util.Locale;

/**
 * The reference's "TLS Ciphers" parameter: each option an ordered suite list, the first the
 * server's favourite. TLS 1.3 suites (beyond the reference) follow the option's strength.
 */
public enum TlsCiphersOption {
    /**
     * The reference prints TLS_ECDHE_RSA with AES256_GCM_SHA384 twice for this option; read as
     * the mirror of the ECDSA-preferred option, like every other RSA/ECDSA pair.
     */
    STRONGEST_AES256_SHA384_RSA_PREFERRED("Strongest - AES-256 SHA-384 only: RSA Preferred",
            List.of(Names.ECDHE_RSA_AES256_GCM, Names.ECDHE_ECDSA_AES256_GCM),
            List.of(CipherSuiteCatalog.TLS13_AES_256_GCM_SHA384)),
    STRONGEST_AES256_SHA384_ECDSA_PREFERRED("Strongest - AES-256 SHA-384 only: ECDSA Preferred",
            List.of(Names.ECDHE_ECDSA_AES256_GCM, Names.ECDHE_RSA_AES256_GCM),
            List.of(CipherSuiteCatalog.TLS13_AES_256_GCM_SHA384)),
    MEDIUM_AES256_AES128_RSA_PREFERRED("Medium - AES-256 AES-128 only: RSA Preferred",
            List.of(Names.ECDHE_RSA_AES256_GCM, Names.ECDHE_ECDSA_AES256_GCM,
                    Names.ECDHE_RSA_AES128_GCM, Names.ECDHE_ECDSA_AES128_GCM),
            List.of(CipherSuiteCatalog.TLS13_AES_256_GCM_SHA384, CipherSuiteCatalog.TLS13_AES_128_GCM_SHA256)),
    MEDIUM_AES256_AES128_ECDSA_PREFERRED("Medium - AES-256 AES-128 only: ECDSA Preferred",
            List.of(Names.ECDHE_ECDSA_AES256_GCM, Names.ECDHE_RSA_AES256_GCM,
                    Names.ECDHE_ECDSA_AES128_GCM, Names.ECDHE_RSA_AES128_GCM),
            List.of(CipherSuiteCatalog.TLS13_AES_256_GCM_SHA384, CipherSuiteCatalog.TLS13_AES_128_GCM_SHA256)),
    ALL_CIPHERS_RSA_PREFERRED("All Ciphers, RSA Preferred",
            List.of(Names.ECDHE_RSA_AES256_GCM, Names.ECDHE_ECDSA_AES256_GCM,
                    Names.ECDHE_RSA_AES128_GCM, Names.ECDHE_ECDSA_AES128_GCM, Names.RSA_AES128_CBC_SHA),
            Names.ALL_TLS13),
    ALL_CIPHERS_ECDSA_PREFERRED("All Ciphers, ECDSA Preferred",
            List.of(Names.ECDHE_ECDSA_AES256_GCM, Names.ECDHE_RSA_AES256_GCM,
                    Names.ECDHE_ECDSA_AES128_GCM, Names.ECDHE_RSA_AES128_GCM, Names.RSA_AES128_CBC_SHA),
            Names.ALL_TLS13);

    /** The default when the parameter is not set: the widest, as the reference ships it. */
    public static final TlsCiphersOption DEFAULT = ALL_CIPHERS_RSA_PREFERRED;

    private final String displayName;
    private final List<String> suites;
    private final List<String> tls13Suites;

    TlsCiphersOption(String displayName, List<String> suites, List<String> tls13Suites) {
        this.displayName = displayName;
        this.suites = suites;
        this.tls13Suites = tls13Suites;
    }

    /** The option's name as the reference's drop-down shows it. */
    public String displayName() {
        return displayName;
    }

    /** TLS 1.2-and-older suites (IANA names), server favourite first. */
    public List<CipherSuite> suites() {
        return suites.stream().map(CipherSuiteCatalog::iana).toList();
    }

    public List<String> tls13Suites() {
        return tls13Suites;
    }

    /**
     * The config value: the constant name in any case, with '-' or '_' (e.g.
     * {@code strongest-aes256-sha384-rsa-preferred}), or the reference's display name.
     */
    public static TlsCiphersOption fromName(String name) {
        if (name != null) {
            String normalized = name.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
            for (TlsCiphersOption option : values()) {
                if (option.name().equals(normalized) || option.displayName.equalsIgnoreCase(name.trim())) {
                    return option;
                }
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (TlsCiphersOption option : values()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(option.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new IllegalArgumentException("TLS Ciphers '" + name + "' is not one of: " + allowed);
    }

    private static final class Names {
        static final String ECDHE_RSA_AES256_GCM = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
        static final String ECDHE_ECDSA_AES256_GCM = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        static final String ECDHE_RSA_AES128_GCM = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
        static final String ECDHE_ECDSA_AES128_GCM = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        /** The reference's "TLS_RSA with AES_128_CBC_SHA1". */
        static final String RSA_AES128_CBC_SHA = "TLS_RSA_WITH_AES_128_CBC_SHA";
        static final List<String> ALL_TLS13 = List.of(CipherSuiteCatalog.TLS13_AES_256_GCM_SHA384,
                CipherSuiteCatalog.TLS13_AES_128_GCM_SHA256, CipherSuiteCatalog.TLS13_CHACHA20_POLY1305_SHA256);
    }
}
