package org.sipshield.tls;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A trunk profile's "Secure Certificate Subject or Subject Alternate Name": the names a TLS
 * peer's certificate may carry (subject CN, SAN dNSName or iPAddress). As in the reference:
 * separated by space, comma, semicolon or colon, at most 4096 characters, compared without
 * regard to case. No wildcards: a name must match exactly. Because ':' separates names, an IPv6
 * peer is named by its DNS name.
 */
public final class AllowedPeerNames {
    public static final int MAX_LENGTH = 4096;

    private final String text;
    private final Set<String> names;

    private AllowedPeerNames(String text, Set<String> names) {
        this.text = text;
        this.names = names;
    }

    public static AllowedPeerNames parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a secure certificate subject list needs at least one name");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a secure certificate subject list holds at most " + MAX_LENGTH
                    + " characters, this one " + text.length());
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : text.trim().split("[ ,;:]+")) {
            if (!name.isEmpty()) {
                names.add(name.toLowerCase(Locale.ROOT));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a secure certificate subject list needs at least one name, not only separators");
        }
        return new AllowedPeerNames(text, Set.copyOf(names));
    }

    public static AllowedPeerNames of(String... names) {
        return parse(String.join(" ", names));
    }

    public boolean allows(String name) {
        return name != null && names.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The names, lower-cased. */
    public Set<String> names() {
        return names;
    }

    /** The first of the candidates that is allowed, if any. */
    public java.util.Optional<String> firstAllowed(List<String> candidates) {
        return candidates.stream().filter(this::allows).findFirst();
    }

    @Override
    public String toString() {
        return text;
    }
}
