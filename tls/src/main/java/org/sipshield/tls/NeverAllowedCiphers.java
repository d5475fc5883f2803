package org.sipshield.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Suites no cipher string can enable: the reference's "TLS Disabled Ciphers" list, word for
 * word, and beyond the reference every anonymous suite (the list names most of them; anonymous
 * key exchange has no place on an authenticated interface) and every 3DES suite (Sweet32; the
 * JDK disables them too).
 */
public final class NeverAllowedCiphers {
    /** The reference's list, in its order (OpenSSL names; many do not exist any more). */
    private static final Set<String> REFERENCE_LIST = new LinkedHashSet<>(Arrays.asList((""
            + "EDH-RSA-DES-CBC-SHA:EDH-DSS-DES-CBC-SHA:ADH-DES-CBC-SHA:"
            + "DES-CBC-SHA:KRB5-DES-CBC-SHA:KRB5-DES-CBC-MD5:EXP-EDH-RSA-DES-CBC-SHA:"
            + "EXP-EDH-DSS-DES-CBC-SHA:EXP-ADH-DES-CBC-SHA:EXP-DES-CBC-SHA:EXP-RC2-CBC-MD5:"
            + "EXP-KRB5-RC2-CBC-SHA:EXP-KRB5-DES-CBC-SHA:EXP-KRB5-RC2-CBC-MD5:EXP-KRB5-DES-CBC-MD5:"
            + "EXP-ADH-RC4-MD5:EXP-RC4-MD5:EXP-KRB5-RC4-SHA:EXP-KRB5-RC4-MD5:ADH-AES256-GCM-SHA384:"
            + "ADH-AES256-SHA256:ADH-AES256-SHA:ADH-CAMELLIA256-SHA:ADH-AES128-GCM-SHA256:ADH-AES128-SHA256:"
            + "ADH-AES128-SHA:ADH-SEED-SHA:ADH-CAMELLIA128-SHA:ADH-DES-CBC3-SHA:ADH-RC4-MD5:"
            + "AECDH-AES256-SHA:AECDH-AES128-SHA:AECDH-DES-CBC3-SHA:AECDH-RC4-SHA:AECDH-NULL-SHA:"
            + "DES-CBC3-MD5:IDEA-CBC-MD5:RC2-CBC-MD5:RC4-MD5:ECDHE-RSA-RC4-SHA:ECDHE-ECDSA-RC4-SHA:"
            + "ECDH-RSA-RC4-SHA:ECDH-ECDSA-RC4-SHA:RC4-SHA:RC4-MD5:PSK-RC4-SHA:KRB5-RC4-SHA:"
            + "KRB5-RC4-MD5:IDEA-CBC-SHA:KRB5-IDEA-CBC-SHA:KRB5-IDEA-CBC-MD5:DHE-RSA-SEED-SHA:"
            + "DHE-DSS-SEED-SHA:SEED-SHA:KRB5-DES-CBC3-MD5:NULL-MD5:PSK-AES256-CBC-SHA:"
            + "PSK-AES128-CBC-SHA:PSK-3DES-EDE-CBC-SHA:ECDHE-RSA-NULL-SHA:ECDHE-ECDSA-NULL-SHA:"
            + "ECDH-RSA-NULL-SHA:ECDH-ECDSA-NULL-SHA:NULL-SHA256:NULL-SHA").split(":")));

    private NeverAllowedCiphers() {}

    /** The reference's list of OpenSSL names. */
    public static Set<String> opensslNames() {
        return REFERENCE_LIST;
    }

    public static boolean isNeverAllowed(CipherSuite suite) {
        return REFERENCE_LIST.contains(suite.opensslName()) || suite.isAnonymous()
                || suite.encryption().equals("3DES");
    }

    /** The suites, in their order, without the never-allowed ones. */
    public static List<CipherSuite> remove(List<CipherSuite> suites) {
        List<CipherSuite> allowed = new ArrayList<>();
        for (CipherSuite suite : suites) {
            if (!isNeverAllowed(suite)) {
                allowed.add(suite);
            }
        }
        return allowed;
    }
}
