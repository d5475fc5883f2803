package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cipher string governs the TLS 1.3 suites too: the proxy offers only what the string names,
 * whatever the protocol version. The testssl test of sip-proxy checks the same on the wire.
 */
class Tls13CipherStringTest {
    private static final String T13_256 = "TLS_AES_256_GCM_SHA384";
    private static final String T13_128 = "TLS_AES_128_GCM_SHA256";
    private static final String T13_CHACHA = "TLS_CHACHA20_POLY1305_SHA256";

    private static List<String> tls13(String cipherString) {
        return CipherString.parse(cipherString).tls13Suites().stream().map(CipherSuite::ianaName).toList();
    }

    private static EffectiveTlsSettings sip(String sipTls) {
        return TlsPolicy.builder().sipTls(sipTls).build().effective(CertificatePurpose.SIP);
    }

    @Test
    void aStringOfTls12SuitesOnlySwitchesTls13Off() {
        EffectiveTlsSettings settings = sip("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384");
        assertEquals(List.of(TlsVersion.TLS_1_2), settings.protocols());
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
                settings.cipherSuites());
        assertEquals(List.of(), settings.cipherSuites(TlsVersion.TLS_1_3));
    }

    @Test
    void tls13SuitesAreNamedAsOpenSslAndIanaNameThemAndKeepTheConfiguredOrder() {
        EffectiveTlsSettings settings = sip("ECDHE-RSA-AES128-GCM-SHA256:TLS_CHACHA20_POLY1305_SHA256");
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), settings.protocols());
        assertEquals(List.of(T13_CHACHA), settings.cipherSuites(TlsVersion.TLS_1_3));
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), settings.cipherSuites(TlsVersion.TLS_1_2));
        assertEquals(List.of(T13_128, T13_256), tls13("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"));
    }

    @Test
    void aliasesThatDescribeATls13SuiteSelectIt() {
        assertEquals(List.of(T13_256, T13_CHACHA, T13_128), tls13("HIGH:!aNULL:!MD5"), "OpenSSL's default TLS 1.3 order");
        assertEquals(List.of(T13_256, T13_CHACHA, T13_128), tls13("ALL"));
        assertEquals(List.of(T13_256, T13_128), tls13("ECDHE+AESGCM"), "TLS 1.3 key exchange is ECDHE here");
        assertEquals(List.of(T13_256, T13_CHACHA), tls13("AES256:CHACHA20"));
        assertEquals(List.of(T13_128), tls13("AES128+AESGCM"));
        assertEquals(List.of(T13_256, T13_CHACHA, T13_128), tls13("ECDHE-RSA-AES256-GCM-SHA384:TLSv1.3"));
        // TLS 1.3 suites fix neither RSA key exchange nor the certificate's algorithm.
        assertEquals(List.of(), tls13("aRSA+AESGCM"));
        assertEquals(List.of(), tls13("kRSA"));
        assertEquals(List.of(), tls13("HIGH:!TLSv1.3"));
        assertEquals(List.of(), tls13("HIGH:!kECDHE"));
    }

    @Test
    void aStringOfTls13SuitesOnlyOffersTls13Only() {
        EffectiveTlsSettings settings = sip("TLSv1.3");
        assertEquals(List.of(TlsVersion.TLS_1_3), settings.protocols());
        assertEquals(List.of(T13_256, T13_CHACHA, T13_128), settings.cipherSuites());
    }

    @Test
    void aStringThatLeavesNoSuiteIsRefusedAndTls13OffLeavesATls13OnlyStringNothing() {
        InvalidCipherStringException none = assertThrows(InvalidCipherStringException.class,
                () -> TlsPolicy.builder().sipTls("aRSA+CHACHA20+TLSv1.3").build());
        assertTrue(none.getMessage().contains("selects no cipher suite"), none.getMessage());
        IllegalArgumentException off = assertThrows(IllegalArgumentException.class,
                () -> TlsPolicy.builder().tls13Enabled(false).sipTls(T13_128).build().effective(CertificatePurpose.SIP));
        assertTrue(off.getMessage().contains("leaves no cipher suite for TLS 1.2 and newer (TLS 1.3 is switched off"),
                off.getMessage());
    }

    @Test
    void describeListsTheSuitesOfEachProtocolVersion() {
        String text = sip("ECDHE-RSA-AES128-GCM-SHA256:TLS_CHACHA20_POLY1305_SHA256").describe();
        int tls13 = text.indexOf("TLSv1.3 cipher suites, server preference order:\n     1. TLS_CHACHA20_POLY1305_SHA256");
        int tls12 = text.indexOf("TLSv1.2 cipher suites, server preference order:\n     1. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assertTrue(tls13 > 0 && tls12 > tls13, text);
    }
}
