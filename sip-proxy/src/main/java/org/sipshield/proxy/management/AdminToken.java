package org.sipshield.proxy.management;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.sipshield.tls.SecretFiles;

/**
 * The management API's bearer token. Only a slow salted hash of it is kept (PBKDF2-HMAC-SHA256,
 * 600,000 iterations: OWASP's figure for that function), in {@code admin-token.pbkdf2} in the
 * data directory, 0600: a copy of the data directory does not give the token away. The token
 * itself exists only in the output of the command that made it.
 *
 * <p>The file is read again on every check, so a rotation by {@code sipshield admin token} in
 * another process takes effect at once and the old token stops working. One check runs at a
 * time: wrong tokens thrown at the listener cost one core at most, never the machine.
 */
public final class AdminToken {
    public static final String FILE_NAME = "admin-token.pbkdf2";
    static final int ITERATIONS = 600_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    /** The stored line a token was last proven against, and that token's SHA-256: a repeat costs one hash. */
    private String provenLine;
    private byte[] provenDigest;

    public AdminToken(Path dataDirectory) {
        this.file = dataDirectory.resolve(FILE_NAME);
    }

    /** Makes a token if there is none yet; returns it (to be shown once), or null when one exists. */
    public String createIfAbsent() throws IOException {
        if (Files.exists(file)) {
            return null;
        }
        String token = newToken();
        return SecretFiles.writeIfAbsent(file, storedForm(token).getBytes(StandardCharsets.US_ASCII)) ? token : null;
    }

    /** Replaces the token: the previous one is refused from the next check on. Returns the new token. */
    public String rotate() throws IOException {
        String token = newToken();
        SecretFiles.write(file, storedForm(token).getBytes(StandardCharsets.US_ASCII));
        return token;
    }

    /** Whether presented is the current token; compared in constant time, by its hash only. */
    public synchronized boolean matches(String presented) {
        String line;
        try {
            line = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
        byte[] presentedBytes = presented.getBytes(StandardCharsets.UTF_8);
        byte[] digest = sha256(presentedBytes);
        if (line.equals(provenLine) && MessageDigest.isEqual(digest, provenDigest)) {
            return true;
        }
        String[] parts = line.split("\\$");
        if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            boolean same = MessageDigest.isEqual(expected, pbkdf2(presented, salt, iterations));
            if (same) {
                provenLine = line;
                provenDigest = digest;
            }
            return same;
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String storedForm(String token) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        try {
            return "pbkdf2-sha256$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                    + Base64.getEncoder().encodeToString(pbkdf2(token, salt, ITERATIONS)) + "\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        }
    }

    private static byte[] pbkdf2(String token, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(token.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
