package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.*;
import static org.sipshield.digest.DigestAuthenticatorTest.address;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sipshield.testing.MutableClock;

/** Stored checksum form, construction-time validation, and that no secret reaches a string. */
class SecretsAndValidationTest {

    @Test
    void storedChecksumFormRoundTrips() {
        List<DigestChecksum> all = DigestChecksum.computeAll("bob", "ccmsipline", "pw".toCharArray());
        assertEquals(List.of(DigestAlgorithm.SHA_512_256, DigestAlgorithm.SHA_256, DigestAlgorithm.MD5),
                all.stream().map(DigestChecksum::algorithm).toList());
        for (DigestChecksum c : all) {
            String stored = c.toStoredForm();
            assertTrue(stored.matches("(MD5:[0-9a-f]{32})|(SHA-256:[0-9a-f]{64})|(SHA-512-256:[0-9a-f]{64})"), stored);
            assertTrue(DigestChecksum.parse(stored).sameAs(c));
            assertTrue(DigestChecksum.parse(stored.toUpperCase()).sameAs(c), "algorithm and hex are case-insensitive");
        }
        assertEquals("MD5:939e7578ed9e3c518a452acee763bce9", DigestChecksum.compute(DigestAlgorithm.MD5_SESS, "Mufasa",
                "testrealm@host.com", "Circle Of Life".toCharArray()).toStoredForm(), "a -sess algorithm stores its base HA1");
        assertFalse(all.get(0).sameAs(DigestChecksum.compute(DigestAlgorithm.SHA_512_256, "bob", "other", "pw".toCharArray())));
    }

    @Test
    void badStoredChecksumsAreRefusedWithoutEchoingThem() {
        String almost = "MD5:939e7578ed9e3c518a452acee763bce";
        for (String bad : List.of("", "939e7578ed9e3c518a452acee763bce9", "SHA-1:939e7578ed9e3c518a452acee763bce9",
                "MD5-sess:939e7578ed9e3c518a452acee763bce9", almost, "MD5:939e7578ed9e3c518a452acee763bcez",
                "SHA-256:939e7578ed9e3c518a452acee763bce9")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DigestChecksum.parse(bad), bad);
            assertFalse(bad.length() > 8 && e.getMessage().contains(bad.substring(bad.indexOf(':') + 1)), e.getMessage());
            assertFalse(e.getMessage().contains("939e75"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DigestChecksum.parse(null));
        assertThrows(IllegalArgumentException.class,
                () -> DigestChecksum.compute(DigestAlgorithm.MD5, "", "r", "p".toCharArray()));
    }

    @Test
    void noToStringCarriesASecret() throws Exception {
        String password = "hunter2-Secret";
        SecureRandom random = new SecureRandom();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        DigestChecksum checksum = DigestChecksum.compute(DigestAlgorithm.SHA_256, "bob", "r", password.toCharArray());
        String ha1 = checksum.toStoredForm().substring("SHA-256:".length());
        byte[] key = new byte[32];
        random.nextBytes(key);
        NonceSecret secret = NonceSecret.fromBytes(key);
        SipRealmCredentials creds = new SipRealmCredentials("r", "bob", password.toCharArray());
        InMemoryDigestUserDirectory users = InMemoryDigestUserDirectory.builder().add("r", "bob", List.of(checksum)).build();
        DigestAuthenticator server = new DigestAuthenticator(DigestPolicy.builder("r").algorithms(DigestAlgorithm.SHA_256).build(),
                secret, users, clock, random);
        DigestRequest req = DigestRequest.of("REGISTER", "sip:r", address(192, 0, 2, 1, 5060), "c");
        DigestClient client = new DigestClient(realm -> Optional.of(creds), random);
        DigestAnswer answer = client.answer(DigestHeaderKind.WWW_AUTHENTICATE,
                DigestAuthenticatorTest.values(server.challenge(req)), "REGISTER", "sip:r");
        DigestAuthorization auth = DigestAuthorization.parse(answer.headerValue().orElseThrow());
        DigestVerification ok = server.verify(req, answer.headerValue().orElseThrow());
        DigestVerification replay = server.verify(req, answer.headerValue().orElseThrow());
        String hexKey = java.util.HexFormat.of().formatHex(key);
        String b64Key = java.util.Base64.getEncoder().encodeToString(key);

        for (Object o : List.of(checksum, secret, creds, users, users.findByUsername("r", "bob").orElseThrow(), server,
                client, answer, auth, ok, replay, replay.securityEvent().orElseThrow())) {
            String s = o.toString();
            assertFalse(s.contains(password), s);
            assertFalse(s.contains(ha1), s);
            assertFalse(s.contains(auth.response()), s);
            assertFalse(s.contains(hexKey) || s.contains(b64Key), s);
        }
        creds.destroy();
        assertTrue(new String(creds.password()).chars().allMatch(c -> c == 0));
    }

    @Test
    void policiesAndSecretsAreValidatedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> DigestPolicy.builder(" ").build());
        assertThrows(IllegalArgumentException.class, () -> DigestPolicy.builder("a\r\nb").build());
        assertThrows(IllegalArgumentException.class, () -> DigestPolicy.builder(null).build());
        assertThrows(IllegalArgumentException.class, () -> DigestPolicy.builder("r").algorithms().build());
        assertThrows(IllegalArgumentException.class,
                () -> DigestPolicy.builder("r").algorithms(DigestAlgorithm.MD5, DigestAlgorithm.MD5).build());
        assertThrows(IllegalArgumentException.class, () -> DigestPolicy.builder("r").nonceValiditySeconds(0).build());
        assertThrows(IllegalArgumentException.class, () -> DigestPolicy.builder("r").nonceValiditySeconds(86_401).build());
        assertThrows(IllegalArgumentException.class, () -> DigestPolicy.builder("r").maxTrackedNonces(0).build());
        DigestPolicy defaults = DigestPolicy.builder("ccmsipline").build();
        assertEquals(600, defaults.nonceValiditySeconds());
        assertEquals(List.of(DigestAlgorithm.MD5), defaults.algorithms());
        assertFalse(defaults.acceptRfc2069Clients());
        assertTrue(defaults.bindings().isEmpty());

        assertThrows(IllegalArgumentException.class, () -> NonceSecret.fromBytes(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> NonceSecret.fromBytes(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NonceSecret.fromBase64("not base64 !!"));
        assertFalse(e.getMessage().contains("not base64"));
        assertThrows(IllegalArgumentException.class, () -> DigestRequest.of("REG ISTER", "sip:r", address(192, 0, 2, 1, 1), "c"));
        assertThrows(IllegalArgumentException.class,
                () -> DigestRequest.of("REGISTER", "sip:r", java.net.InetSocketAddress.createUnresolved("phone.example", 5060), "c"));
    }

    @Test
    void algorithmTokensAreCaseInsensitiveAndSha512256IsNotTruncatedSha512() throws Exception {
        assertEquals(Optional.of(DigestAlgorithm.SHA_512_256_SESS), DigestAlgorithm.fromToken("sha-512-256-SESS"));
        assertTrue(DigestAlgorithm.fromToken("SHA-512").isEmpty());
        assertTrue(DigestAlgorithm.fromToken(null).isEmpty());
        String truncatedSha512 = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-512").digest("abc".getBytes())).substring(0, 64);
        assertNotEquals(truncatedSha512, DigestAlgorithm.SHA_512_256.hashHex("abc"));
        // FIPS 180-4 example "abc" for SHA-512/256 (NIST CSRC example values).
        assertEquals("53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23", DigestAlgorithm.SHA_512_256.hashHex("abc"));
    }
}
