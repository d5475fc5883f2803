package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.config.SecurityModelConfigTest.LISTENERS;
import static org.sipshield.config.SecurityModelConfigTest.MD5;
import static org.sipshield.config.SecurityModelConfigTest.assertProblem;
import static org.sipshield.config.SecurityModelConfigTest.problems;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestChecksum;

/** The loader holds a stored HA1 to digest-auth's format, the one the authenticator reads. */
class DigestCredentialsConfigTest {

    @Test
    void anHa1IsReadAsDigestAuthReadsItWhateverTheCaseOfItsHexDigits() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(LISTENERS + """
                endUsers:
                  - {userId: bob, digestCredentials: {MD5: %s}}
                """.formatted(MD5.toUpperCase(Locale.ROOT)), "model.yaml");
        List<DigestChecksum> checksums = config.endUsers().get(0).digestCredentials().checksums();
        assertEquals(1, checksums.size());
        assertTrue(checksums.get(0).sameAs(DigestChecksum.parse("MD5:" + MD5)));
    }

    @Test
    void anHa1OfTheWrongLengthForItsAlgorithmIsRefusedWithoutEchoingIt() {
        List<ConfigProblem> problems = problems("""
                endUsers:
                  - {userId: bob, digestCredentials: {SHA-256: %s, SHA-512-256: "xyz"}}
                """.formatted(MD5));
        assertProblem(problems, "endUsers[0].digestCredentials.SHA-256", "is not an HA1 for SHA-256");
        assertProblem(problems, "endUsers[0].digestCredentials.SHA-512-256", "is not an HA1 for SHA-512-256");
        assertProblem(problems, "endUsers[0].digestCredentials", "no HA1 given");
        assertTrue(problems.toString().contains(DigestAlgorithm.SHA_256.hexLength() + " hexadecimal digits"), problems.toString());
        assertFalse(problems.toString().contains(MD5), problems.toString());
    }

    @Test
    void aSessionAlgorithmIsNoKeyForAStoredHa1() {
        assertProblem(problems("""
                endUsers:
                  - {userId: bob, digestCredentials: {MD5: %s, MD5-sess: %s}}
                """.formatted(MD5, MD5)), "endUsers[0].digestCredentials.MD5-sess", "unknown key");
    }
}
