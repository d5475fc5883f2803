package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsPolicyTest {
    private static final String RSA256 = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    private static final String ECDSA256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    private static final String RSA128 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    private static final String ECDSA128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String RSA_CBC = "TLS_RSA_WITH_AES_128_CBC_SHA";
    private static final String T13_256 = "TLS_AES_256_GCM_SHA384";
    private static final String T13_128 = "TLS_AES_128_GCM_SHA256";
    private static final String T13_CHACHA = "TLS_CHACHA20_POLY1305_SHA256";

    private static List<String> sip(TlsPolicy policy) {
        return policy.effective(CertificatePurpose.SIP).cipherSuites();
    }

    private static TlsPolicy option(TlsCiphersOption option) {
        return TlsPolicy.builder().tlsCiphers(option).build();
    }

    @Test
    void eachTlsCiphersOptionOffersTheReferencesSuitesInItsOrder() {
        assertEquals(List.of(T13_256, RSA256, ECDSA256), sip(option(TlsCiphersOption.STRONGEST_AES256_SHA384_RSA_PREFERRED)));
        assertEquals(List.of(T13_256, ECDSA256, RSA256), sip(option(TlsCiphersOption.STRONGEST_AES256_SHA384_ECDSA_PREFERRED)));
        assertEquals(List.of(T13_256, T13_128, RSA256, ECDSA256, RSA128, ECDSA128),
                sip(option(TlsCiphersOption.MEDIUM_AES256_AES128_RSA_PREFERRED)));
        assertEquals(List.of(T13_256, T13_128, ECDSA256, RSA256, ECDSA128, RSA128),
                sip(option(TlsCiphersOption.MEDIUM_AES256_AES128_ECDSA_PREFERRED)));
        assertEquals(List.of(T13_256, T13_128, T13_CHACHA, RSA256, ECDSA256, RSA128, ECDSA128, RSA_CBC),
                sip(option(TlsCiphersOption.ALL_CIPHERS_RSA_PREFERRED)));
        assertEquals(List.of(T13_256, T13_128, T13_CHACHA, ECDSA256, RSA256, ECDSA128, RSA128, RSA_CBC),
                sip(option(TlsCiphersOption.ALL_CIPHERS_ECDSA_PREFERRED)));
    }

    @Test
    void defaultsAreTls12MinimumWithTls13AndAllCiphersRsaPreferred() {
        TlsPolicy policy = TlsPolicy.defaults();
        EffectiveTlsSettings sip = policy.effective(CertificatePurpose.SIP);
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), sip.protocols());
        assertEquals(TlsCiphersOption.ALL_CIPHERS_RSA_PREFERRED, policy.tlsCiphers());
        assertEquals(List.of("secp521r1", "secp384r1", "secp256r1"), sip.namedGroups());
        assertTrue(policy.authenticatedModeAvailable());
    }

    @Test
    void olderMinimumVersionsAppearOnlyWhereASuiteWorksWithThem() {
        TlsPolicy all = TlsPolicy.of("1.0", null, "all-ciphers-rsa-preferred", null, null, null);
        assertEquals(List.of(TlsVersion.TLS_1_0, TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3),
                all.effective(CertificatePurpose.SIP).protocols());
        TlsPolicy strongest = TlsPolicy.of("1.0", null, "STRONGEST_AES256_SHA384_RSA_PREFERRED", null, null, null);
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), strongest.effective(CertificatePurpose.SIP).protocols());
        TlsPolicy eleven = TlsPolicy.of("1.1", null, null, null, null, null);
        assertEquals(List.of(TlsVersion.TLS_1_1, TlsVersion.TLS_1_2, TlsVersion.TLS_1_3),
                eleven.effective(CertificatePurpose.SIP).protocols());
    }

    @Test
    void tls13CanBeTurnedOff() {
        EffectiveTlsSettings settings = TlsPolicy.builder().tls13Enabled(false).build().effective(CertificatePurpose.SIP);
        assertEquals(List.of(TlsVersion.TLS_1_2), settings.protocols());
        assertEquals(List.of(RSA256, ECDSA256, RSA128, ECDSA128, RSA_CBC), settings.cipherSuites());
    }

    @Test
    void sipTlsAndHttpsTlsOverrideAllTlsWhichOverridesTheOption() {
        TlsPolicy allOnly = TlsPolicy.builder().tlsCiphers(TlsCiphersOption.ALL_CIPHERS_RSA_PREFERRED)
                .allTls("AES256-GCM-SHA384:AES256-SHA256").build();
        // The string names no TLS 1.3 suite, so it offers none (Tls13CipherStringTest).
        List<String> expected = List.of("TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA256");
        assertEquals(expected, sip(allOnly));
        assertEquals(expected, allOnly.effective(CertificatePurpose.HTTPS).cipherSuites());

        TlsPolicy both = TlsPolicy.builder().allTls("AES256-GCM-SHA384").sipTls("ECDHE-ECDSA-AES128-GCM-SHA256")
                .httpsTls("ECDHE-RSA-AES128-SHA256").build();
        assertEquals(ECDSA128, last(sip(both)));
        assertEquals("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", last(both.effective(CertificatePurpose.HTTPS).cipherSuites()));
        assertTrue(both.effective(CertificatePurpose.SIP).source().startsWith("sip-tls"));

        TlsPolicy sipOnly = TlsPolicy.builder().sipTls("ECDHE-ECDSA-AES128-GCM-SHA256").build();
        assertEquals(List.of(T13_256, T13_128, T13_CHACHA, RSA256, ECDSA256, RSA128, ECDSA128, RSA_CBC),
                sipOnly.effective(CertificatePurpose.HTTPS).cipherSuites());
    }

    private static String last(List<String> list) {
        return list.get(list.size() - 1);
    }

    @Test
    void neverAllowedSuitesAreRemovedWhateverTheStringSays() {
        TlsPolicy policy = TlsPolicy.builder()
                .sipTls("NULL-SHA:ADH-AES128-SHA:DES-CBC3-SHA:ECDHE-RSA-NULL-SHA:AECDH-AES256-SHA:ADH-CAMELLIA128-SHA256:AES128-SHA")
                .build();
        assertEquals(List.of(RSA_CBC), sip(policy));
        List<String> all = sip(TlsPolicy.builder().sipTls("ALL:COMPLEMENTOFALL").build());
        for (CipherSuite suite : CipherSuiteCatalog.all()) {
            if (NeverAllowedCiphers.isNeverAllowed(suite)) {
                assertFalse(all.contains(suite.ianaName()), suite.ianaName());
            }
        }
        assertTrue(all.size() > 40, all.toString());

        InvalidCipherStringException onlyBad = assertThrows(InvalidCipherStringException.class,
                () -> TlsPolicy.builder().allTls("NULL-SHA:NULL-SHA256").build());
        assertEquals("all-tls", onlyBad.field());
        assertTrue(onlyBad.getMessage().startsWith("all-tls: invalid cipher string 'NULL-SHA:NULL-SHA256'"), onlyBad.getMessage());
        assertTrue(onlyBad.getMessage().contains("never-allowed"), onlyBad.getMessage());
    }

    @Test
    void anInvalidStringNamesItsFieldTheStringAndTheProblem() {
        InvalidCipherStringException e = assertThrows(InvalidCipherStringException.class,
                () -> TlsPolicy.of(null, null, null, null, null, "HIGH:AES128_SHA"));
        assertEquals("https-tls: invalid cipher string 'HIGH:AES128_SHA': unknown cipher or alias 'AES128_SHA'"
                + " (OpenSSL cipher names use '-', e.g. AES128-SHA)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TlsPolicy.of("1.3", null, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> TlsPolicy.of(null, null, "strongest", null, null, null));
    }

    @Test
    void authenticatedModeUsesNullShaSuitesUntilASipOrAllStringRevokesIt() {
        TlsPolicy policy = TlsPolicy.defaults();
        EffectiveTlsSettings authenticated = policy.effective(CertificatePurpose.SIP, EnumSet.of(TlsProtection.INTEGRITY));
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_NULL_SHA", "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "TLS_RSA_WITH_NULL_SHA256",
                "TLS_RSA_WITH_NULL_SHA"), authenticated.cipherSuites());
        assertEquals(List.of(TlsVersion.TLS_1_2), authenticated.protocols());

        EffectiveTlsSettings mixed = policy.effective(CertificatePurpose.SIP, EnumSet.allOf(TlsProtection.class));
        List<String> expected = new ArrayList<>(sip(policy));
        expected.addAll(authenticated.cipherSuites());
        assertEquals(expected, mixed.cipherSuites());

        TlsPolicy httpsStringOnly = TlsPolicy.builder().httpsTls("AES256-SHA").build();
        assertTrue(httpsStringOnly.authenticatedModeAvailable());

        for (TlsPolicy revoked : List.of(TlsPolicy.builder().sipTls("HIGH").build(), TlsPolicy.builder().allTls("HIGH").build())) {
            assertFalse(revoked.authenticatedModeAvailable());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> revoked.effective(CertificatePurpose.SIP, EnumSet.of(TlsProtection.INTEGRITY)));
            assertTrue(e.getMessage().contains("revokes the NULL-SHA ciphers"), e.getMessage());
            assertTrue(revoked.effective(CertificatePurpose.SIP, EnumSet.allOf(TlsProtection.class)).cipherSuites()
                    .stream().noneMatch(name -> name.contains("NULL")));
        }
    }

    @Test
    void negotiatedSuiteIsCheckedAgainstTheProfilesMode() {
        assertFalse(TlsPolicy.suiteProvides("TLS_RSA_WITH_NULL_SHA", TlsProtection.ENCRYPTION));
        assertTrue(TlsPolicy.suiteProvides("TLS_RSA_WITH_NULL_SHA", TlsProtection.INTEGRITY));
        assertTrue(TlsPolicy.suiteProvides(RSA256, TlsProtection.ENCRYPTION));
        assertTrue(TlsPolicy.suiteProvides(CipherSuiteCatalog.TLS13_AES_256_GCM_SHA384, TlsProtection.ENCRYPTION));
        assertFalse(TlsPolicy.suiteProvides("TLS_SHA256_SHA256", TlsProtection.ENCRYPTION));
    }

    @Test
    void aSuiteThatCannotBeClassifiedMeetsNoMode() {
        for (TlsProtection mode : TlsProtection.values()) {
            assertFalse(TlsPolicy.suiteProvides(null, mode), "no suite");
            assertFalse(TlsPolicy.suiteProvides("SSL_NULL_WITH_NULL_NULL", mode), "a name we do not know");
            assertFalse(TlsPolicy.suiteProvides("", mode), "an empty name");
        }
        assertFalse(TlsPolicy.suiteProvides(RSA256, null), "no mode");
    }

    @Test
    void optionNamesAndVersionsParseFromConfigValues() {
        assertEquals(TlsCiphersOption.MEDIUM_AES256_AES128_ECDSA_PREFERRED,
                TlsCiphersOption.fromName("medium-aes256-aes128-ecdsa-preferred"));
        assertEquals(TlsCiphersOption.STRONGEST_AES256_SHA384_RSA_PREFERRED,
                TlsCiphersOption.fromName("Strongest - AES-256 SHA-384 only: RSA Preferred"));
        assertEquals(TlsVersion.TLS_1_1, TlsVersion.ofMinimum("1.1"));
        assertEquals(TlsVersion.TLS_1_2, TlsVersion.ofMinimum("TLSv1.2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsVersion.ofMinimum("1.4"));
        assertTrue(e.getMessage().contains("1.0, 1.1, 1.2"));
    }

    @Test
    void describeListsEverySuiteWithItsOpenSslName() {
        String text = TlsPolicy.builder().sipTls("ECDHE-RSA-AES256-GCM-SHA384").build().effective(CertificatePurpose.SIP).describe();
        assertTrue(text.startsWith("sip-tls (sip-tls 'ECDHE-RSA-AES256-GCM-SHA384')"), text);
        assertTrue(text.contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), text);
        assertTrue(text.contains("ECDHE-RSA-AES256-GCM-SHA384"), text);
        assertTrue(text.contains("protocols: TLSv1.2\n"), text);
        assertTrue(text.contains("TLSv1.3: off (no TLS 1.3 cipher suite selected)"), text);
        assertTrue(text.contains("TLSv1.2 cipher suites, server preference order:"), text);
    }
}
