package org.sipshield.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The one way a secret (a private key, the digest nonce key) reaches the disk: written to a
 * temporary file in the target's directory that is created with mode 0600 (open(2) gets the mode,
 * so there is no moment where the bytes are readable by others, whatever the umask), flushed to the
 * device, then renamed over the target in one step. A failure at any point removes the temporary
 * file: no copy of the secret is left behind under another name.
 */
public final class SecretFiles {
    /** Owner read and write, nothing for anyone else. */
    public static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");

    private static final SecureRandom NAMES = new SecureRandom();

    private SecretFiles() {
    }

    /** Writes a secret file, replacing any previous one atomically; mode 0600 from its first byte. */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, content, SECRET);
    }

    /**
     * Writes the secret file only if none exists yet (two instances sharing a data directory keep
     * the first one's key): false when the target already existed, and then it is left untouched.
     */
    public static boolean writeIfAbsent(Path target, byte[] content) throws IOException {
        Path temporary = temporaryFileWith(target, content, SECRET);
        try {
            // link(2) never replaces an existing name, unlike rename(2)
            Files.createLink(target, temporary);
            syncDirectory(target.toAbsolutePath().getParent());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The same atomic write for a file that is not secret (a certificate), with the mode given. */
    public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path temporary = temporaryFileWith(target, content, permissions);
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target.toAbsolutePath().getParent());
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static Path temporaryFileWith(Path target, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(permissions);
        // a dot name, so directory listings that look for *.key or *.pem never pick up a half-written file
        Path temporary = directory.resolve("." + target.getFileName() + "." + HexFormat.of().toHexDigits(NAMES.nextLong()) + ".tmp");
        boolean written = false;
        try (FileChannel channel = FileChannel.open(temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
            written = true;
        } finally {
            if (!written) {
                Files.deleteIfExists(temporary);
            }
        }
        return temporary;
    }

    /** Makes the rename itself durable: without it a crash can leave the old name (or none). */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems refuse to open or sync a directory; the file itself is already synced
        }
    }
}
