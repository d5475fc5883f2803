package org.sipshield.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A cipher management string in OpenSSL cipher-string syntax (the reference's All TLS / SIP TLS
 * / HTTPS TLS fields), expanded the way OpenSSL expands it: items separated by ':', ',', ';'
 * or spaces; each item a cipher name or alias, or several joined with '+' (all must match);
 * prefixes '!' (remove for good), '-' (remove, may be added again), '+' (move to the end);
 * '@STRENGTH' sorts by key strength. Suites are added in OpenSSL's default order.
 *
 * <p>Unlike OpenSSL, which silently ignores words it does not know, an unknown word is an
 * error naming the word: an operator's typo must not quietly change what the proxy offers.
 * Words OpenSSL knows but that match nothing we can offer (RC4, PSK, ...) are accepted.
 * DEFAULT is not: it is whatever the local OpenSSL build makes it, so it means nothing portable.
 *
 * <p>Also unlike OpenSSL, the string governs the TLS 1.3 suites too (the reference: the proxy
 * "will support only" the configured ciphers). They take part in the expansion like any suite,
 * first in the default order as OpenSSL lists them, and are selected by their own names or by
 * the aliases that describe them ({@link CipherSuiteCatalog#tls13()}); a string that selects none
 * switches TLS 1.3 off where it applies.
 */
public final class CipherString {
    private static final Map<String, Predicate<CipherSuite>> ALIASES = aliases();
    /** OpenSSL aliases for things neither we nor Bouncy Castle offer: valid, select nothing. */
    private static final Set<String> EMPTY_ALIASES = Set.of("MD5", "RC4", "RC2", "DES", "IDEA", "SEED", "PSK",
            "kPSK", "aPSK", "kECDHEPSK", "kDHEPSK", "kRSAPSK", "SRP", "kSRP", "aSRP", "EXP", "EXPORT", "EXPORT40",
            "EXPORT56", "LOW", "KRB5", "kKRB5", "aKRB5", "GOST", "kGOST", "aGOST", "aGOST01", "GOST94",
            "GOST89MAC", "kECDH", "kDH", "aECDH", "aDH", "kECDHr", "kECDHe", "kDHr", "kDHd", "SSLv2", "eGOST2814789CNT",
            "CAMELLIAGCM", "ARIACBC", "AECDH-NULL-SHA");

    private final String text;
    private final List<CipherSuite> suites;
    private final List<CipherSuite> tls13Suites;

    private CipherString(String text, List<CipherSuite> suites, List<CipherSuite> tls13Suites) {
        this.text = text;
        this.suites = List.copyOf(suites);
        this.tls13Suites = List.copyOf(tls13Suites);
    }

    /** The string as the operator wrote it. */
    public String text() {
        return text;
    }

    /** The expansion's TLS 1.2-and-older suites, in order; empty when the string selects TLS 1.3 suites only. */
    public List<CipherSuite> suites() {
        return suites;
    }

    /**
     * The expansion's TLS 1.3 suites, in order; empty when the string selects none, which
     * switches TLS 1.3 off wherever the string applies. Never empty together with {@link #suites()}.
     */
    public List<CipherSuite> tls13Suites() {
        return tls13Suites;
    }

    @Override
    public String toString() {
        return text;
    }

    public static CipherString parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidCipherStringException(String.valueOf(text), "it is empty");
        }
        LinkedList<Entry> list = new LinkedList<>();
        for (CipherSuite suite : CipherSuiteCatalog.tls13()) {
            list.add(new Entry(suite));
        }
        for (CipherSuite suite : CipherSuiteCatalog.all()) {
            list.add(new Entry(suite));
        }
        String[] items = text.trim().split("[:, ;]+");
        for (String item : items) {
            if (item.isEmpty()) {
                continue;
            }
            apply(text, item, list);
        }
        List<CipherSuite> result = new ArrayList<>();
        List<CipherSuite> tls13 = new ArrayList<>();
        for (Entry entry : list) {
            if (entry.active) {
                (entry.suite.isTls13() ? tls13 : result).add(entry.suite);
            }
        }
        if (result.isEmpty() && tls13.isEmpty()) {
            throw new InvalidCipherStringException(text, "it selects no cipher suite that can be offered");
        }
        return new CipherString(text, result, tls13);
    }

    private static void apply(String text, String item, LinkedList<Entry> list) {
        char first = item.charAt(0);
        if (first == '@') {
            if (!item.equals("@STRENGTH")) {
                throw new InvalidCipherStringException(text, "'" + item + "' is not supported (only @STRENGTH is)");
            }
            sortByStrength(list);
            return;
        }
        char op = (first == '!' || first == '-' || first == '+') ? first : 0;
        String body = op == 0 ? item : item.substring(1);
        if (body.isEmpty()) {
            throw new InvalidCipherStringException(text, "'" + item + "' names no cipher or alias");
        }
        Predicate<CipherSuite> selector = selector(text, item, body);
        switch (op) {
            case '!' -> list.removeIf(entry -> selector.test(entry.suite));
            case '-' -> deactivate(list, selector);
            case '+' -> moveToEnd(list, entry -> entry.active && selector.test(entry.suite));
            default -> add(list, selector);
        }
    }

    private static Predicate<CipherSuite> selector(String text, String item, String body) {
        Predicate<CipherSuite> selector = suite -> true;
        for (String word : body.split("\\+", -1)) {
            if (word.isEmpty()) {
                throw new InvalidCipherStringException(text, "'" + item + "' has an empty part around '+'");
            }
            selector = selector.and(word(text, word));
        }
        return selector;
    }

    private static Predicate<CipherSuite> word(String text, String word) {
        Predicate<CipherSuite> alias = ALIASES.get(word);
        if (alias != null) {
            return alias;
        }
        if (CipherSuiteCatalog.byOpensslName(word).isPresent() || CipherSuiteCatalog.byIanaName(word).isPresent()
                || CipherSuiteCatalog.tls13ByName(word).isPresent()) {
            return suite -> suite.opensslName().equals(word) || suite.ianaName().equals(word);
        }
        if (EMPTY_ALIASES.contains(word) || NeverAllowedCiphers.opensslNames().contains(word)) {
            return suite -> false;
        }
        String hint = word.contains("_") && !word.startsWith("TLS_")
                ? " (OpenSSL cipher names use '-', e.g. AES128-SHA)"
                : word.equals(word.toUpperCase(Locale.ROOT)) ? "" : " (names and aliases are case-sensitive)";
        throw new InvalidCipherStringException(text, "unknown cipher or alias '" + word + "'" + hint);
    }

    /** OpenSSL's CIPHER_ADD: matching inactive suites go to the end, keeping their order. */
    private static void add(LinkedList<Entry> list, Predicate<CipherSuite> selector) {
        moveToEnd(list, entry -> !entry.active && selector.test(entry.suite));
        for (Entry entry : list) {
            if (!entry.active && selector.test(entry.suite)) {
                entry.active = true;
            }
        }
    }

    /** OpenSSL's CIPHER_DEL: deactivated suites move to the front, so a later add takes them first. */
    private static void deactivate(LinkedList<Entry> list, Predicate<CipherSuite> selector) {
        List<Entry> removed = new ArrayList<>();
        for (Entry entry : list) {
            if (entry.active && selector.test(entry.suite)) {
                removed.add(entry);
            }
        }
        list.removeAll(removed);
        for (Entry entry : removed) {
            entry.active = false;
        }
        list.addAll(0, removed);
    }

    private static void moveToEnd(LinkedList<Entry> list, Predicate<Entry> which) {
        List<Entry> moved = new ArrayList<>();
        for (Entry entry : list) {
            if (which.test(entry)) {
                moved.add(entry);
            }
        }
        list.removeAll(moved);
        list.addAll(moved);
    }

    /** OpenSSL's @STRENGTH: a stable sort of the active suites, strongest first. */
    private static void sortByStrength(LinkedList<Entry> list) {
        List<Entry> active = new ArrayList<>();
        for (Entry entry : list) {
            if (entry.active) {
                active.add(entry);
            }
        }
        list.removeAll(active);
        active.sort(Comparator.comparingInt((Entry entry) -> entry.suite.bits()).reversed());
        list.addAll(active);
    }

    private static final class Entry {
        final CipherSuite suite;
        boolean active;

        Entry(CipherSuite suite) {
            this.suite = suite;
        }
    }

    private static Map<String, Predicate<CipherSuite>> aliases() {
        Map<String, Predicate<CipherSuite>> a = new HashMap<>();
        Predicate<CipherSuite> kRsa = s -> s.keyExchange().equals("RSA");
        Predicate<CipherSuite> kEcdhe = s -> s.keyExchange().equals("ECDH");
        Predicate<CipherSuite> kDhe = s -> s.keyExchange().equals("DH");
        Predicate<CipherSuite> anon = CipherSuite::isAnonymous;
        Predicate<CipherSuite> eNull = CipherSuite::isNullEncryption;
        Predicate<CipherSuite> aes = s -> s.encryption().startsWith("AES");
        Predicate<CipherSuite> camellia = s -> s.encryption().equals("Camellia");
        Predicate<CipherSuite> aria = s -> s.encryption().startsWith("ARIA");
        a.put("kRSA", kRsa);
        a.put("RSA", kRsa);
        a.put("aRSA", s -> s.authentication().equals("RSA"));
        a.put("kECDHE", kEcdhe);
        a.put("kEECDH", kEcdhe);
        a.put("ECDH", kEcdhe);
        a.put("ECDHE", kEcdhe.and(anon.negate()));
        a.put("EECDH", kEcdhe.and(anon.negate()));
        a.put("AECDH", kEcdhe.and(anon));
        a.put("kDHE", kDhe);
        a.put("kEDH", kDhe);
        a.put("DH", kDhe);
        a.put("DHE", kDhe.and(anon.negate()));
        a.put("EDH", kDhe.and(anon.negate()));
        a.put("ADH", kDhe.and(anon));
        a.put("aECDSA", s -> s.authentication().equals("ECDSA"));
        a.put("ECDSA", s -> s.authentication().equals("ECDSA"));
        a.put("aDSS", s -> s.authentication().equals("DSS"));
        a.put("DSS", s -> s.authentication().equals("DSS"));
        a.put("aNULL", anon);
        a.put("eNULL", eNull);
        a.put("NULL", eNull);
        a.put("AES", aes);
        a.put("AES128", aes.and(s -> s.bits() == 128));
        a.put("AES256", aes.and(s -> s.bits() == 256));
        a.put("AESGCM", s -> s.encryption().equals("AESGCM"));
        a.put("AESCCM", s -> s.encryption().startsWith("AESCCM"));
        a.put("AESCCM8", s -> s.encryption().equals("AESCCM8"));
        a.put("CAMELLIA", camellia);
        a.put("CAMELLIA128", camellia.and(s -> s.bits() == 128));
        a.put("CAMELLIA256", camellia.and(s -> s.bits() == 256));
        a.put("ARIA", aria);
        a.put("ARIA128", aria.and(s -> s.bits() == 128));
        a.put("ARIA256", aria.and(s -> s.bits() == 256));
        a.put("ARIAGCM", s -> s.encryption().equals("ARIAGCM"));
        a.put("CHACHA20", s -> s.encryption().startsWith("CHACHA20"));
        a.put("3DES", s -> s.encryption().equals("3DES"));
        a.put("SHA1", s -> s.mac().equals("SHA1"));
        a.put("SHA", s -> s.mac().equals("SHA1"));
        a.put("SHA256", s -> s.mac().equals("SHA256"));
        a.put("SHA384", s -> s.mac().equals("SHA384"));
        a.put("TLSv1.3", CipherSuite::isTls13);
        a.put("TLSv1.2", s -> s.minimumProtocol().equals("TLSv1.2"));
        a.put("TLSv1.0", s -> s.minimumProtocol().equals("TLSv1"));
        a.put("TLSv1", s -> s.minimumProtocol().equals("TLSv1"));
        a.put("SSLv3", s -> s.minimumProtocol().equals("SSLv3"));
        a.put("HIGH", s -> !eNull.test(s) && !s.encryption().equals("3DES"));
        a.put("MEDIUM", s -> s.encryption().equals("3DES"));
        a.put("ALL", eNull.negate());
        a.put("COMPLEMENTOFALL", eNull);
        return Map.copyOf(a);
    }

    static Set<String> aliasNames() {
        return Collections.unmodifiableSet(ALIASES.keySet());
    }
}
