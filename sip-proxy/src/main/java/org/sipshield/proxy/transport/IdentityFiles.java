package org.sipshield.proxy.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.IdentityStore;

/**
 * The proxy's identity files as last seen (key and certificate of sip, sip-ecdsa and https), so a
 * running proxy notices when {@code sipshield certs regenerate} or {@code certs import} (another
 * process) or an operator's copy replaced one. A file's inode, size and modification time stand for
 * it: the commands write by rename, so each write is a new inode.
 */
public final class IdentityFiles {
    private final IdentityStore store;
    /** The files as last served. */
    private String served;
    /** The files at the previous look. */
    private String previous;

    public IdentityFiles(Path dataDirectory) {
        this.store = new IdentityStore(dataDirectory);
        this.served = signature();
        this.previous = served;
    }

    /**
     * True once for each change, when the files differ from those last served and have not changed
     * since the previous look: a key and its certificate are two renames, and a pair caught between
     * them would not match (nor should it be served).
     */
    public synchronized boolean changed() {
        String now = signature();
        boolean settled = now.equals(previous);
        previous = now;
        if (!settled || now.equals(served)) {
            return false;
        }
        served = now;
        return true;
    }

    private String signature() {
        StringBuilder text = new StringBuilder();
        for (CertificatePurpose purpose : CertificatePurpose.values()) {
            describe(store.keyFile(purpose), text);
            describe(store.certificateFile(purpose), text);
        }
        return text.toString();
    }

    private static void describe(Path file, StringBuilder text) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            text.append(file.getFileName()).append(' ').append(attributes.fileKey()).append(' ')
                    .append(attributes.size()).append(' ').append(attributes.lastModifiedTime().toInstant()).append('\n');
        } catch (IOException e) {
            text.append(file.getFileName()).append(" absent\n");
        }
    }
}
