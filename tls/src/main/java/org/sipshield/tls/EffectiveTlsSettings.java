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

    /** Multi-line text for check-config. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append(tlsInterface.fileStem()).append("-tls (").append(source).append(")\n");
        text.append("  protocols: ").append(String.join(", ", protocolNames())).append('\n');
        text.append("  cipher suites, server preference order:\n");
        List<String> openssl = opensslNames();
        for (int i = 0; i < cipherSuites.size(); i++) {
            text.append(String.format("    %2d. %-45s %s%n", i + 1, cipherSuites.get(i), openssl.get(i)));
        }
        text.append("  named groups (client preference wins): ").append(String.join(", ", namedGroups)).append('\n');
        return text.toString();
    }
}
