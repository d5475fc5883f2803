package org.sipshield.proxy.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.sipshield.digest.NonceSecret;
import org.sipshield.tls.SecretFiles;

/**
 * The key that signs digest nonces, kept in the data directory (mode 0600 from its first byte)
 * so nonces stay valid across a restart; instances of a cluster share the file to accept each
 * other's (the first one to write it wins, the others read it).
 */
public final class NonceKeyFile {
    private NonceKeyFile() {}

    public static NonceSecret load(Path dataDirectory) throws IOException {
        Path file = dataDirectory.resolve("digest-nonce.key");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            SecretFiles.writeIfAbsent(file, (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return NonceSecret.fromBase64(Files.readString(file).trim());
    }
}
