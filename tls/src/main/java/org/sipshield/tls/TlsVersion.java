package org.sipshield.tls;

import java.util.Locale;

/** Protocol versions, oldest first, with the names JSSE and operators use. */
public enum TlsVersion {
    TLS_1_0("TLSv1", "1.0"),
    TLS_1_1("TLSv1.1", "1.1"),
    TLS_1_2("TLSv1.2", "1.2"),
    TLS_1_3("TLSv1.3", "1.3");

    private final String jsseName;
    private final String number;

    TlsVersion(String jsseName, String number) {
        this.jsseName = jsseName;
        this.number = number;
    }

    public String jsseName() {
        return jsseName;
    }

    /** "1.2", as in the reference's {@code set tls min-version 1.2}. */
    public String number() {
        return number;
    }

    /**
     * The minimum version setting: "1.0", "1.1" or "1.2" (also "TLSv1.2"). TLS 1.3 is not a
     * minimum the reference offers; it is switched on or off on its own.
     */
    public static TlsVersion ofMinimum(String text) {
        String value = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace("TLSV", "");
        for (TlsVersion version : values()) {
            if (version != TLS_1_3 && (version.number.equals(value) || ("1".equals(value) && version == TLS_1_0))) {
                return version;
            }
        }
        throw new IllegalArgumentException("minimum TLS version '" + text + "' is not one of 1.0, 1.1, 1.2");
    }

    public static TlsVersion ofJsseName(String name) {
        for (TlsVersion version : values()) {
            if (version.jsseName.equals(name)) {
                return version;
            }
        }
        throw new IllegalArgumentException("unknown protocol " + name);
    }
}
