package org.sipshield.jni;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Loads libsipshield_srtp.so from inside this module's jar (or from target/classes during the
 * build), so users never set -Djava.library.path. Loading happens once per JVM; a failure is
 * remembered and rethrown with its cause, never turned into a silent fallback.
 */
public final class NativeLibrary {
    static final String RESOURCE = "/native/linux-x86_64/libsipshield_srtp.so";
    /**
     * The reference library (libsrtp2 as {@code ENGINE_LIBSRTP2}, test and benchmark entry points):
     * in native's test-jar only, so it is loaded where tests or benchmarks put it on the classpath,
     * never in the shipped proxy. It links against the library above, which must be loaded first.
     */
    static final String REFERENCE_RESOURCE = "/native/linux-x86_64/libsipshield_srtp_reference.so";
    /**
     * A directory whose libraries of the same names are loaded instead of the classpath's: the
     * build's ASan+UBSan variants, which the sanitizer test runs name (see native/pom.xml). A
     * library missing there is a load failure, never a quiet return to the classpath's.
     */
    static final String DIRECTORY_PROPERTY = "sipshield.native.dir";

    private static volatile boolean loaded;
    private static volatile UnsatisfiedLinkError failure;

    private NativeLibrary() {}

    /** Loads the library if needed; throws UnsatisfiedLinkError with the reason if it cannot. */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (NativeLibrary.class) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                System.load(locate(RESOURCE).toString());
                if (NativeLibrary.class.getResource(REFERENCE_RESOURCE) != null) {
                    System.load(locate(REFERENCE_RESOURCE).toString());
                }
                loaded = true;
            } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                        "cannot load the sipshield SRTP core " + RESOURCE + ": " + e.getMessage());
                error.initCause(e);
                failure = error;
                throw error;
            }
        }
    }

    private static Path locate(String resource) throws IOException {
        if (!"amd64".equals(System.getProperty("os.arch")) || !System.getProperty("os.name").startsWith("Linux")) {
            throw new IOException("only linux-x86_64 is built, this JVM runs on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        String directory = System.getProperty(DIRECTORY_PROPERTY);
        if (directory != null) {
            Path library = Paths.get(directory, resource.substring(resource.lastIndexOf('/') + 1));
            if (!Files.isRegularFile(library)) {
                throw new IOException(library + " does not exist (" + DIRECTORY_PROPERTY + "=" + directory + ")");
            }
            return library;
        }
        URL url = NativeLibrary.class.getResource(resource);
        if (url == null) {
            throw new IOException("the library is not on the classpath (was the native module built with make?)");
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Paths.get(url.toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IOException(e);
            }
        }
        // Inside a jar: copy to a private temporary file; the JVM maps it, the file goes at exit.
        Path copy = Files.createTempFile(resource.substring(resource.lastIndexOf('/') + 1), ".so",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        copy.toFile().deleteOnExit();
        try (InputStream in = url.openStream()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }
}
