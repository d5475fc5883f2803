package org.sipshield.tls;

import java.util.List;

/**
 * What one TLS interface really offers, after every rule of the policy: protocols (only those
 * with at least one suite), suites in server-preference order (TLS 1.3 suites first, then TLS
 * 1.2-and-older, then in AUTHENTICATED mode the NULL suites), named groups, and where the
 * suite list came from. {@code sipshield check-config} prints {@link #describe()}.
 */
public record EffectiveTlsSettings(CertificatePurpose tlsInterface, List<TlsVersion> protocols,
        List<String> cipherSuites, List<String> namedGroups, String source) {

    public EffectiveTlsSettings {
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        namedGroups = List.copyOf(namedGroups);
    }

    public String[] protocolNames() {
        return protocols.stream().map(TlsVersion::jsseName).toArray(String[]::new);
    }

    public String[] cipherSuiteNames() {
        return cipherSuites.toArray(new String[0]);
    }

    /** The suites OpenSSL-style (TLS 1.3 suites keep their IANA names, as in OpenSSL). */
    public List<String> opensslNames() {
        return cipherSuites.stream()
                .map(name -> CipherSuiteCatalog.byIanaName(name).map(CipherSuite::opensslName).orElse(name))
                .toList();
    }

    /** The suites negotiable at this version, in server-preference order (IANA names). */
    public List<String> cipherSuites(TlsVersion version) {
        if (!protocols.contains(version)) {
            return List.of();
        }
        return cipherSuites.stream().filter(name -> suite(name).map(s -> s.worksWith(version)).orElse(false)).toList();
    }

    private static java.util.Optional<CipherSuite> suite(String ianaName) {
        return CipherSuiteCatalog.byIanaName(ianaName).or(() -> CipherSuiteCatalog.tls13ByName(ianaName));
    }

    /**
     * Multi-line text for check-config: the suites of each protocol version, newest first, since
     * an operator asks "what does a TLS 1.3 client get" as often as "what is offered at all".
     */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append(tlsInterface.fileStem()).append("-tls (").append(source).append(")\n");
        text.append("  protocols: ").append(String.join(", ", protocolNames())).append('\n');
        List<TlsVersion> newestFirst = new java.util.ArrayList<>(List.of(TlsVersion.values()));
        java.util.Collections.reverse(newestFirst);
        for (TlsVersion version : newestFirst) {
            List<String> suites = cipherSuites(version);
            if (suites.isEmpty()) {
                if (version == TlsVersion.TLS_1_3) {
                    text.append("  ").append(version.jsseName()).append(": off (no TLS 1.3 cipher suite selected)\n");
                }
                continue;
            }
            text.append("  ").append(version.jsseName()).append(" cipher suites, server preference order:\n");
            for (int i = 0; i < suites.size(); i++) {
                String name = suites.get(i);
                String openssl = suite(name).map(CipherSuite::opensslName).orElse(name);
                text.append(String.format("    %2d. %-45s %s%n", i + 1, name, openssl));
            }
        }
        text.append("  named groups (client preference wins): ").append(String.join(", ", namedGroups)).append('\n');
        return text.toString();
    }
}
