package org.sipshield.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CipherStringTest {

    /** The expansion must be OpenSSL's own, restricted to the suites Bouncy Castle can offer. */
    @ParameterizedTest
    @ValueSource(strings = {
        "ECDHE+AESGCM",
        "HIGH:!aNULL:!MD5",
        "AES256:-kRSA:AES128",
        "kRSA+AES256",
        "ALL:+SHA:!CAMELLIA",
        "ALL:-AESGCM:AESGCM",
        "aECDSA+SHA384,aRSA+SHA384",
        "ALL:!aNULL:!ARIA:!DSS",
        "HIGH:@STRENGTH",
        "ECDHE:!SHA1 kRSA+SHA256;AESCCM8",
        "TLSv1.2+AES128:SSLv3",
        "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA:AES256-GCM-SHA384:AES256-SHA256:"
                + "AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:"
                + "AES128-GCM-SHA256:AES128-SHA256:AES128-SHA",
        "CHACHA20:CAMELLIA256:ARIA128:EDH+AES:ADH:AECDH",
        "COMPLEMENTOFALL:eNULL"})
    void expandsExactlyAsOpenSslDoes(String cipherString) throws Exception {
        // Debian's OpenSSL 3 has no 3DES, so its suites are compared apart (neverAllowed covers them anyway).
        List<String> ours = CipherString.parse(cipherString).suites().stream()
                .filter(suite -> !suite.encryption().equals("3DES")).map(CipherSuite::ianaName).toList();
        assertEquals(openSslExpansion(cipherString), ours, cipherString);
    }

    private static List<String> openSslExpansion(String cipherString) throws Exception {
        ExternalProcess.Result result = ExternalProcess.run(List.of("openssl", "ciphers", "-stdname", "-v", cipherString), null, 30);
        assertEquals(0, result.exitCode(), result.output());
        List<String> names = new ArrayList<>();
        for (String line : result.output().split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 4 && !fields[3].equals("TLSv1.3") && CipherSuiteCatalog.byIanaName(fields[0]).isPresent()) {
                names.add(fields[0]);
            }
        }
        return names;
    }

    @Test
    void theReferencesOverrideExampleExpandsToItsTwoSuites() {
        assertEquals(List.of("TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA256"),
                CipherString.parse("AES256-GCM-SHA384:AES256-SHA256").suites().stream().map(CipherSuite::ianaName).toList());
    }

    @Test
    void ianaNamesAreAcceptedToo() {
        assertEquals(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), CipherString.parse(
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256").suites().stream().map(CipherSuite::ianaName).toList());
    }

    @Test
    void anUnderscoreNameIsRefusedAsTheReferenceSays() {
        InvalidCipherStringException e = assertThrows(InvalidCipherStringException.class,
                () -> CipherString.parse("AES256-SHA:AES128_SHA"));
        assertEquals("AES256-SHA:AES128_SHA", e.cipherString());
        assertTrue(e.getMessage().contains("unknown cipher or alias 'AES128_SHA'"), e.getMessage());
        assertTrue(e.getMessage().contains("use '-'"), e.getMessage());
    }

    @Test
    void anUnknownWordIsNamedEvenWhereOpenSslWouldIgnoreIt() {
        InvalidCipherStringException e = assertThrows(InvalidCipherStringException.class,
                () -> CipherString.parse("ALL:BAD:!MD5"));
        assertTrue(e.getMessage().contains("'BAD'"), e.getMessage());
        InvalidCipherStringException inCombination = assertThrows(InvalidCipherStringException.class,
                () -> CipherString.parse("ECDHE+aes256"));
        assertTrue(inCombination.getMessage().contains("'aes256'"), inCombination.getMessage());
        assertTrue(inCombination.getMessage().contains("case-sensitive"), inCombination.getMessage());
    }

    @Test
    void emptyAndSelectNothingAndOddSyntaxAreErrors() {
        assertTrue(assertThrows(InvalidCipherStringException.class, () -> CipherString.parse("  "))
                .problem().contains("empty"));
        assertTrue(assertThrows(InvalidCipherStringException.class, () -> CipherString.parse("ALL:!ALL:!eNULL"))
                .problem().contains("selects no cipher suite"));
        assertTrue(assertThrows(InvalidCipherStringException.class, () -> CipherString.parse("RC4-SHA"))
                .problem().contains("selects no cipher suite"));
        assertTrue(assertThrows(InvalidCipherStringException.class, () -> CipherString.parse("HIGH:@SECLEVEL=2"))
                .problem().contains("@SECLEVEL=2"));
        assertTrue(assertThrows(InvalidCipherStringException.class, () -> CipherString.parse("ECDHE+"))
                .problem().contains("empty part"));
        assertTrue(assertThrows(InvalidCipherStringException.class, () -> CipherString.parse("HIGH:!"))
                .problem().contains("names no cipher"));
    }

    @Test
    void wordsOpenSslKnowsButWeCannotOfferAreAccepted() {
        List<CipherSuite> suites = CipherString.parse("HIGH:!aNULL:!MD5:!RC4:!PSK:!SRP:!EXP:!KRB5-DES-CBC3-MD5").suites();
        assertFalse(suites.isEmpty());
        assertTrue(suites.stream().noneMatch(CipherSuite::isAnonymous));
    }

    @Test
    void everyCatalogSuiteIsOneBouncyCastleSupports() throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS", BouncyCastle.jsseProvider());
        context.init(null, null, null);
        List<String> supported = List.of(context.createSSLEngine().getSupportedCipherSuites());
        for (CipherSuite suite : CipherSuiteCatalog.all()) {
            assertTrue(supported.contains(suite.ianaName()), suite.ianaName());
        }
    }
}
