package org.sipshield.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every suite we can name and enable, in OpenSSL's default preference order (the order an
 * OpenSSL cipher string adds suites in): TLS 1.2-and-older ones in {@link #all()}, TLS 1.3 ones
 * apart in {@link #tls13()}. The table is a resource generated from
 * OpenSSL and Bouncy Castle themselves (see its header), so the names are theirs, not ours.
 */
public final class CipherSuiteCatalog {
    private static final List<CipherSuite> ALL = load();
    private static final Map<String, CipherSuite> BY_OPENSSL_NAME = index(true);
    private static final Map<String, CipherSuite> BY_IANA_NAME = index(false);

    public static final String TLS13_AES_256_GCM_SHA384 = "TLS_AES_256_GCM_SHA384";
    public static final String TLS13_AES_128_GCM_SHA256 = "TLS_AES_128_GCM_SHA256";
    public static final String TLS13_CHACHA20_POLY1305_SHA256 = "TLS_CHACHA20_POLY1305_SHA256";

    /**
     * The TLS 1.3 suites, in OpenSSL's default order, with the attributes a cipher string selects
     * them by. A TLS 1.3 suite fixes only its cipher and hash: its key exchange here is always
     * ECDHE (we offer only elliptic-curve groups), its authentication whatever the certificate is.
     * So AES256, AESGCM, CHACHA20, HIGH, ALL, ECDHE, kECDHE and TLSv1.3 select them; aRSA, aECDSA
     * and a TLS 1.2 suite's name do not. OpenSSL keeps them out of its cipher string altogether;
     * we do not, so that a string names everything the proxy will offer.
     */
    private static final List<CipherSuite> TLS13 = List.of(
            new CipherSuite(TLS13_AES_256_GCM_SHA384, TLS13_AES_256_GCM_SHA384, "TLSv1.3", "ECDH", "any", "AESGCM", 256, "AEAD"),
            new CipherSuite(TLS13_CHACHA20_POLY1305_SHA256, TLS13_CHACHA20_POLY1305_SHA256, "TLSv1.3", "ECDH", "any",
                    "CHACHA20/POLY1305", 256, "AEAD"),
            new CipherSuite(TLS13_AES_128_GCM_SHA256, TLS13_AES_128_GCM_SHA256, "TLSv1.3", "ECDH", "any", "AESGCM", 128, "AEAD"));

    private CipherSuiteCatalog() {}

    /** All TLS 1.2-and-older suites, in OpenSSL's default order. */
    public static List<CipherSuite> all() {
        return ALL;
    }

    /** The TLS 1.3 suites, in OpenSSL's default order. */
    public static List<CipherSuite> tls13() {
        return TLS13;
    }

    public static Optional<CipherSuite> tls13ByName(String name) {
        return TLS13.stream().filter(suite -> suite.ianaName().equals(name)).findFirst();
    }

    public static Optional<CipherSuite> byOpensslName(String name) {
        return Optional.ofNullable(BY_OPENSSL_NAME.get(name));
    }

    public static Optional<CipherSuite> byIanaName(String name) {
        return Optional.ofNullable(BY_IANA_NAME.get(name));
    }

    /** The suite with this IANA name; a programming error if we do not know it. */
    static CipherSuite iana(String name) {
        return byIanaName(name).orElseThrow(() -> new IllegalStateException("no cipher suite " + name));
    }

    private static Map<String, CipherSuite> index(boolean openssl) {
        Map<String, CipherSuite> map = new LinkedHashMap<>();
        for (CipherSuite suite : ALL) {
            map.put(openssl ? suite.opensslName() : suite.ianaName(), suite);
        }
        return Collections.unmodifiableMap(map);
    }

    private static List<CipherSuite> load() {
        List<CipherSuite> suites = new ArrayList<>();
        try (InputStream in = CipherSuiteCatalog.class.getResourceAsStream("cipher-suites.tsv")) {
            if (in == null) {
                throw new IllegalStateException("cipher-suites.tsv is missing from the tls module");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                suites.add(new CipherSuite(f[0], f[1], f[2], f[3], f[4], f[5], Integer.parseInt(f[6]), f[7].trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(suites);
    }
}
