package org.sipshield.digest;

import static org.junit.jupiter.api.Assertions.*;
import static org.sipshield.digest.MiniJson.*;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every digest example of testdata/vectors, reproduced by the server's response check and by the
 * client, from the JSON files themselves.
 */
class RfcVectorsTest {

    private static String headerValue(String line) {
        return line.substring(line.indexOf(": ") + 2);
    }

    private static DigestClient client(String realm, String user, String password, String cnonce) {
        SipRealmCredentials creds = new SipRealmCredentials(realm, user, password.toCharArray());
        return new DigestClient(r -> r.equals(realm) ? Optional.of(creds) : Optional.empty(), () -> cnonce);
    }

    @Test
    void rfc2617Section35Md5() throws Exception {
        Map<String, Object> v = readVector("rfc2617-section-3.5-digest-md5.json");
        Map<String, Object> p = obj(v, "params");
        String realm = str(p, "realm");
        String expected = str(v, "expected_response");
        DigestChecksum ha1 = DigestChecksum.compute(DigestAlgorithm.MD5, str(v, "username"), realm,
                str(v, "password").toCharArray());
        assertTrue(ha1.sameAs(DigestChecksum.parse("MD5:" + str(obj(v, "computed_not_printed_in_rfc"), "HA1_md5"))));

        // Server: the printed Authorization verifies against the stored checksum, and only against it.
        DigestAuthorization auth = DigestAuthorization.parse(headerValue(str(v, "authorization_header")));
        assertEquals(expected, auth.response());
        assertTrue(DigestAuthenticator.responseMatches(auth, DigestAlgorithm.MD5, str(v, "method"), null, ha1));
        DigestChecksum otherPassword = DigestChecksum.compute(DigestAlgorithm.MD5, "Mufasa", realm, "Circle of Life".toCharArray());
        assertFalse(DigestAuthenticator.responseMatches(auth, DigestAlgorithm.MD5, str(v, "method"), null, otherPassword));
        assertFalse(DigestAuthenticator.responseMatches(auth, DigestAlgorithm.MD5, "POST", null, ha1));

        // Client: the printed challenge answered with the printed cnonce gives the printed parameters.
        DigestAnswer answer = client(realm, str(v, "username"), str(v, "password"), str(p, "cnonce"))
                .answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(headerValue(str(v, "challenge_header"))),
                        str(v, "method"), str(p, "uri"));
        assertEquals(DigestAnswer.Status.ANSWERED, answer.status());
        assertEquals("Authorization", answer.headerName());
        DigestAuthorization ours = DigestAuthorization.parse(answer.headerValue().orElseThrow());
        assertEquals(expected, ours.response());
        assertEquals(auth.username(), ours.username());
        assertEquals(auth.realm(), ours.realm());
        assertEquals(auth.nonce(), ours.nonce());
        assertEquals(auth.uri(), ours.uri());
        assertEquals(auth.qop(), ours.qop());
        assertEquals(auth.nc(), ours.nc());
        assertEquals(auth.cnonce(), ours.cnonce());
        assertEquals(auth.opaque(), ours.opaque());
        assertFalse(answer.headerValue().orElseThrow().contains("algorithm"),
                "the challenge named no algorithm, so neither does the answer (RFC 2617 example)");
    }

    @Test
    void rfc7616Section391Md5AndSha256() throws Exception {
        Map<String, Object> v = obj(readVector("rfc7616-section-3.9-digest-sha256-md5-sha512-256.json"), "3.9.1");
        Map<String, Object> p = obj(v, "params");
        String realm = str(p, "realm");
        List<Object> challenges = arr(v, "challenges");
        String sha256Challenge = headerValue((String) challenges.get(0));
        String md5Challenge = headerValue((String) challenges.get(1));
        DigestClient client = client(realm, str(v, "username"), str(v, "password"), str(p, "cnonce"));

        for (DigestAlgorithm alg : List.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256)) {
            Map<String, Object> e = obj(v, alg.token());
            DigestChecksum ha1 = DigestChecksum.compute(alg, str(v, "username"), realm, str(v, "password").toCharArray());
            assertTrue(ha1.sameAs(DigestChecksum.parse(alg.token() + ":" + str(e, "computed_HA1"))));
            DigestAuthorization auth = DigestAuthorization.parse(headerValue(str(e, "authorization_header")));
            assertEquals(str(e, "expected_response"), auth.response());
            assertTrue(DigestAuthenticator.responseMatches(auth, alg, str(v, "method"), null, ha1), alg.token());
            DigestChecksum rfc2617Password = DigestChecksum.compute(alg, "Mufasa", realm, "Circle Of Life".toCharArray());
            assertFalse(DigestAuthenticator.responseMatches(auth, alg, str(v, "method"), null, rfc2617Password));
        }

        // Offered both, the client picks SHA-256 and writes the RFC's header byte for byte.
        DigestAnswer both = client.answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(md5Challenge, sha256Challenge),
                str(v, "method"), str(p, "uri"));
        assertEquals(headerValue(str(obj(v, "SHA-256"), "authorization_header")), both.headerValue().orElseThrow());

        DigestAnswer md5Only = client(realm, str(v, "username"), str(v, "password"), str(p, "cnonce"))
                .answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(md5Challenge), str(v, "method"), str(p, "uri"));
        assertEquals(headerValue(str(obj(v, "MD5"), "authorization_header")), md5Only.headerValue().orElseThrow());
    }

    @Test
    void rfc7616Section392Sha512256WithUserhashPerItsWarning() throws Exception {
        Map<String, Object> v = obj(readVector("rfc7616-section-3.9-digest-sha256-md5-sha512-256.json"), "3.9.2");
        assertTrue(str(v, "WARNING").contains("NOT SHA-512/256"));
        Map<String, Object> p = obj(v, "params");
        Map<String, Object> fips = obj(v, "fips_sha512_256_computed_not_printed");
        Map<String, Object> printed = obj(v, "printed_in_rfc");
        String realm = str(p, "realm");
        String user = str(v, "username_unicode");
        assertEquals(str(v, "username_utf8_hex"), HexFormat.of().formatHex(user.getBytes(StandardCharsets.UTF_8)));
        String password = str(v, "password");
        DigestAlgorithm alg = DigestAlgorithm.SHA_512_256;

        DigestChecksum ha1 = DigestChecksum.compute(alg, user, realm, password.toCharArray());
        assertTrue(ha1.sameAs(DigestChecksum.parse("SHA-512-256:" + str(fips, "HA1 = H(username:realm:password)"))));
        assertEquals(str(fips, "userhash = H(username:realm)"), DigestResponses.userhash(alg, user, realm));
        assertNotEquals(str(printed, "userhash"), DigestResponses.userhash(alg, user, realm));

        String expectedHeader = "Digest username=\"" + str(fips, "userhash = H(username:realm)") + "\", realm=\"" + realm
                + "\", uri=\"" + str(p, "uri") + "\", algorithm=SHA-512-256, nonce=\"" + str(p, "nonce")
                + "\", nc=" + str(p, "nc") + ", cnonce=\"" + str(p, "cnonce") + "\", qop=auth, response=\""
                + str(fips, "response") + "\", opaque=\"" + str(p, "opaque") + "\", userhash=true";

        // Client: userhash=true in the challenge makes it send H(username:realm) as the username.
        DigestAnswer answer = client(realm, user, password, str(p, "cnonce"))
                .answer(DigestHeaderKind.WWW_AUTHENTICATE, List.of(headerValue(str(v, "challenge"))),
                        str(v, "method"), str(p, "uri"));
        assertEquals(expectedHeader, answer.headerValue().orElseThrow());
        assertFalse(answer.headerValue().orElseThrow().contains(str(printed, "response")));

        // Server: the userhash resolves the user, the FIPS response verifies, the printed one does not.
        InMemoryDigestUserDirectory directory = InMemoryDigestUserDirectory.builder()
                .add(realm, user, DigestChecksum.computeAll(user, realm, password.toCharArray())).build();
        DigestAuthorization auth = DigestAuthorization.parse(expectedHeader);
        assertTrue(auth.userhash());
        DigestUser found = directory.findByUserhash(realm, alg, auth.username()).orElseThrow();
        assertEquals(user, found.username());
        assertTrue(DigestAuthenticator.responseMatches(auth, alg, str(v, "method"), null, found.checksum(alg).orElseThrow()));
        DigestAuthorization printedAuth = DigestAuthorization.parse(expectedHeader.replace(str(fips, "response"),
                str(printed, "response")));
        assertFalse(DigestAuthenticator.responseMatches(printedAuth, alg, str(v, "method"), null, found.checksum(alg).orElseThrow()));
        assertTrue(directory.findByUserhash(realm, alg, str(printed, "userhash")).isEmpty());
    }

    @Test
    void usernameStarFormOfTheRfcDecodesToTheUnicodeName() throws Exception {
        Map<String, Object> v = obj(readVector("rfc7616-section-3.9-digest-sha256-md5-sha512-256.json"), "3.9.2");
        Map<String, Object> p = obj(v, "params");
        String header = "Digest " + str(v, "username_star_form") + ", realm=\"" + str(p, "realm")
                + "\", uri=\"/doe.json\", nonce=\"n\", response=\"00\"";
        assertEquals(str(v, "username_unicode"), DigestAuthorization.parse(header).username());
    }
}
