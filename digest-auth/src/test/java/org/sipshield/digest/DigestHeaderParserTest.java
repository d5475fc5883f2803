package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.*;
import static org.sipshield.digest.DigestParseException.Reason.*;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The header grammar, and what hostile input gets: a typed reason, never a crash. */
class DigestHeaderParserTest {

    private static final String VALID = "Digest username=\"bob\", realm=\"ccmsipline\", nonce=\"abc\", "
            + "uri=\"sip:x@y\", response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001, cnonce=\"c\"";

    private static DigestParseException.Reason refused(String header) {
        return assertThrows(DigestParseException.class, () -> DigestAuthorization.parse(header), header).reason();
    }

    @Test
    void parsesTokensQuotedStringsEscapesAndCaseInsensitiveNames() throws Exception {
        DigestAuthorization a = DigestAuthorization.parse(
                "  dIgEsT  USERNAME = \"b\\\"o\\\\b\" ,REALM=\"ccmsipline\",Nonce=\"n\",\r\n\tURI=\"sip:x@y\","
                        + "Response=\"ABCDEF\", Algorithm=sha-256, QOP=Auth, NC=0000000A, CNonce=\"c\", opaque=\"o\"");
        assertEquals("b\"o\\b", a.username());
        assertEquals("ccmsipline", a.realm());
        assertEquals("sip:x@y", a.uri());
        assertEquals("abcdef", a.response());
        assertEquals(DigestAlgorithm.SHA_256, a.algorithm().orElseThrow());
        assertEquals("auth", a.qop().orElseThrow());
        assertEquals("0000000a", a.nc().orElseThrow());
        assertEquals("o", a.opaque().orElseThrow());
    }

    @Test
    void formattingAndParsingRoundTripAwkwardValues() throws Exception {
        for (String user : List.of("bob", "a\"b", "back\\slash", "sp ace", "Jäsøn Doe", "comma,=\"x\"")) {
            DigestAuthorization a = new DigestAuthorization(user, false, "r\"ealm", "n", "sip:u@h;transport=tls",
                    "00ff", "MD5", "c", "o", "auth", "00000001");
            DigestAuthorization b = DigestAuthorization.parse(a.toHeaderValue());
            assertEquals(user, b.username());
            assertEquals("r\"ealm", b.realm());
            assertEquals(a.toHeaderValue(), b.toHeaderValue());
        }
        DigestChallenge c = new DigestChallenge("re\\alm", "n", "o", "SHA-512-256", List.of("auth", "auth-int"), true, true);
        DigestChallenge d = DigestChallenge.parse(c.toHeaderValue());
        assertEquals("re\\alm", d.realm());
        assertEquals(List.of("auth", "auth-int"), d.qopOptions());
        assertTrue(d.stale());
        assertTrue(d.userhash());
        assertEquals(DigestAlgorithm.SHA_512_256, d.algorithm().orElseThrow());
    }

    @Test
    void challengesWithUnknownAlgorithmsParseButOfferNothingWeImplement() throws Exception {
        DigestChallenge c = DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1");
        assertTrue(c.algorithm().isEmpty());
        DigestChallenge plain = DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\"");
        assertEquals(DigestAlgorithm.MD5, plain.algorithm().orElseThrow());
        assertTrue(plain.qopOptions().isEmpty());
        assertFalse(plain.stale());
    }

    @Test
    void hostileInputGetsAPreciseReason() {
        assertEquals(EMPTY, refused(null));
        assertEquals(EMPTY, refused(""));
        assertEquals(EMPTY, refused("   "));
        assertEquals(NOT_DIGEST_SCHEME, refused("Basic Ym9iOnMzY3JldA=="));
        assertEquals(NOT_DIGEST_SCHEME, refused("Digestusername=\"bob\""));
        assertEquals(NOT_DIGEST_SCHEME, refused("Digest"));
        assertEquals(MISSING_EQUALS, refused("Digest username"));
        assertEquals(MISSING_EQUALS, refused("Digest username \"bob\""));
        assertEquals(EMPTY_VALUE, refused("Digest username="));
        assertEquals(BAD_CHARACTER, refused("Digest username=<bob>"));
        assertEquals(UNTERMINATED_QUOTED_STRING, refused("Digest username=\"bob"));
        assertEquals(UNTERMINATED_QUOTED_STRING, refused("Digest username=\"bob\\"));
        assertEquals(BAD_ESCAPE, refused("Digest username=\"bob\\\r\nX: y\""));
        assertEquals(BAD_CHARACTER, refused("Digest username=\"bob\r\nVia: evil\""));
        assertEquals(BAD_CHARACTER, refused("Digest username=\"bob\nx\""));
        assertEquals(BAD_CHARACTER, refused("Digest username=\"b\u0000ob\""));
        assertEquals(BAD_CHARACTER, refused("Digest username=\"bob\"\r\nVia: evil"));
        assertEquals(EXPECTED_COMMA, refused("Digest username=\"bob\" realm=\"r\""));
        assertEquals(BAD_PARAMETER_NAME, refused("Digest username=\"bob\",,realm=\"r\""));
        assertEquals(BAD_PARAMETER_NAME, refused("Digest username=\"bob\","));
        assertEquals(BAD_PARAMETER_NAME, refused("Digest =\"bob\""));
        assertEquals(DUPLICATE_PARAMETER, refused("Digest username=\"bob\", USERNAME=\"alice\""));
        assertEquals(DUPLICATE_PARAMETER, refused("Digest response=\"00\", response=\"11\""));
        assertEquals(TOO_LONG, refused("Digest username=\"" + "a".repeat(DigestParams.MAX_HEADER_LENGTH) + "\""));
        assertEquals(VALUE_TOO_LONG, refused("Digest username=\"" + "a".repeat(DigestParams.MAX_VALUE_LENGTH + 1) + "\""));
        assertEquals(VALUE_TOO_LONG, refused("Digest nonce=" + "a".repeat(DigestParams.MAX_VALUE_LENGTH + 1)));
        StringBuilder many = new StringBuilder("Digest p0=a");
        for (int i = 1; i <= DigestParams.MAX_PARAMETERS; i++) {
            many.append(", p").append(i).append("=a");
        }
        assertEquals(TOO_MANY_PARAMETERS, refused(many.toString()));
    }

    @Test
    void requiredAndInconsistentCredentialParametersAreRefused() {
        assertEquals(MISSING_PARAMETER, refused("Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\""));
        assertEquals(MISSING_PARAMETER, refused("Digest username=\"b\", nonce=\"n\", uri=\"u\", response=\"00\""));
        assertEquals(MISSING_PARAMETER, refused("Digest username=\"b\", realm=\"r\", uri=\"u\", response=\"00\""));
        assertEquals(MISSING_PARAMETER, refused("Digest username=\"b\", realm=\"r\", nonce=\"n\", response=\"00\""));
        assertEquals(MISSING_PARAMETER, refused("Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\""));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("0123456789abcdef0123456789abcdef", "xyz")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("nc=00000001", "nc=1")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("nc=00000001", "nc=0000000g")));
        assertEquals(MISSING_PARAMETER, refused(VALID.replace(", cnonce=\"c\"", "")));
        assertEquals(MISSING_PARAMETER, refused(VALID.replace(", nc=00000001", "")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("qop=auth", "qop=\"auth,auth-int\"")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace(", qop=auth", "")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID + ", username*=UTF-8''bob"));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("username=\"bob\"", "username*=ISO-8859-1''bob")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("username=\"bob\"", "username*=UTF-8''b%ZZ")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("username=\"bob\"", "username*=UTF-8''b%C3")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("username=\"bob\"", "username*=UTF-8''b%F")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("username=\"bob\"", "username*=UTF-8")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("username=\"bob\"", "username*=UTF-8''bob%0d%0aVia%3ax")));
        assertEquals(INVALID_PARAMETER_VALUE, refused(VALID.replace("username=\"bob\"", "username*=UTF-8''")));
        assertEquals(MISSING_PARAMETER, assertThrows(DigestParseException.class,
                () -> DigestChallenge.parse("Digest realm=\"r\"")).reason());
        assertEquals(INVALID_PARAMETER_VALUE, assertThrows(DigestParseException.class,
                () -> DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth, <x>\"")).reason());
    }

    @Test
    void parseErrorsNeverEchoTheValue() {
        DigestParseException e = assertThrows(DigestParseException.class, () -> DigestAuthorization.parse(
                VALID.replace("0123456789abcdef0123456789abcdef", "secret-looking-value")));
        assertFalse(e.getMessage().contains("secret-looking-value"), e.getMessage());
    }

    @Test
    void randomAndMutatedInputNeverCrashesTheParser() {
        Random rnd = new Random(20261123L); // fixed seed: deterministic
        String alphabet = "Digest usernamrlcoqp=\",\\ \t\r\n\u0000\u00e4\u2028*'%0aF-";
        for (int i = 0; i < 20_000; i++) {
            String input;
            if (i % 2 == 0) {
                StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "Digest " : "");
                int len = rnd.nextInt(120);
                for (int j = 0; j < len; j++) {
                    sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
                input = sb.toString();
            } else {
                char[] chars = VALID.toCharArray();
                for (int k = rnd.nextInt(4); k >= 0; k--) {
                    chars[rnd.nextInt(chars.length)] = alphabet.charAt(rnd.nextInt(alphabet.length()));
                }
                input = new String(chars);
            }
            try {
                DigestAuthorization a = DigestAuthorization.parse(input);
                assertNotNull(a.toHeaderValue());
            } catch (DigestParseException expected) {
                assertNotNull(expected.reason());
            }
            try {
                DigestChallenge.parse(input).toHeaderValue();
            } catch (DigestParseException expected) {
                assertNotNull(expected.reason());
            }
        }
    }
}
