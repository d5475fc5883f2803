package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped library links libcrypto and nothing of libsrtp2, and exports the JNI entry points of
 * SrtpNative, UdpNative and LoopWatchdog and the two hooks the reference library uses, nothing else (no test or
 * benchmark entry point). The reference library, loaded in tests, is the one that brings libsrtp2,
 * so the cross-checks against ENGINE_LIBSRTP2 run on the real libsrtp2. Read with binutils' readelf.
 */
class LibrarySplitTest {
    private static final Pattern NEEDED = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^\\]]+)\\]");

    @Test
    void theShippedLibraryNeedsOnlyLibcryptoAndExportsNoTestEntryPoint() throws Exception {
        Path shipped = file(NativeLibrary.RESOURCE);
        Set<String> needed = needed(shipped);
        assertEquals(Set.of("libcrypto.so.3", "libc.so.6"), needed, "NEEDED of " + shipped);

        Set<String> exported = exported(shipped);
        List<String> unexpected = new ArrayList<>();
        for (String symbol : exported) {
            boolean allowed = symbol.startsWith("Java_org_sipshield_jni_SrtpNative_")
                    || symbol.startsWith("Java_org_sipshield_jni_UdpNative_")
                    || symbol.startsWith("Java_org_sipshield_jni_LoopWatchdog_")
                    || symbol.equals("ss_set_reference_engine") || symbol.equals("ss_handle_register");
            if (!allowed || symbol.contains("ForTest") || symbol.contains("deriveSessionKey")
                    || symbol.contains("evpFloor") || symbol.contains("nativeHeapInUse")) {
                unexpected.add(symbol);
            }
        }
        assertEquals(List.of(), unexpected, "exported by " + shipped);
        assertTrue(exported.contains("Java_org_sipshield_jni_SrtpNative_processPackets"), "the reading works: " + exported);
    }

    @Test
    void theReferenceLibraryBringsLibsrtp2AndTheTestEntryPoints() throws Exception {
        Path reference = file(NativeLibrary.REFERENCE_RESOURCE);
        Set<String> needed = needed(reference);
        assertTrue(needed.contains("libsrtp2.so.1"), "NEEDED of " + reference + ": " + needed);
        assertTrue(needed.contains("libsipshield_srtp.so"), "NEEDED of " + reference + ": " + needed);
        Set<String> exported = exported(reference);
        assertTrue(exported.contains("Java_org_sipshield_jni_SrtpNativeTesting_createSessionFromSessionKeys"), exported.toString());
        assertTrue(SrtpNativeTesting.referenceVersion().startsWith("libsrtp2"), SrtpNativeTesting.referenceVersion());
    }

    private static Path file(String resource) throws URISyntaxException {
        return Paths.get(LibrarySplitTest.class.getResource(resource).toURI());
    }

    private static Set<String> needed(Path library) throws IOException, InterruptedException {
        Set<String> needed = new TreeSet<>();
        Matcher m = NEEDED.matcher(readelf("-d", library));
        while (m.find()) {
            needed.add(m.group(1));
        }
        return needed;
    }

    /** Defined, global or weak, default-visibility dynamic symbols (what dlsym and the JVM can find). */
    private static Set<String> exported(Path library) throws IOException, InterruptedException {
        Set<String> names = new TreeSet<>();
        for (String line : readelf("--dyn-syms", "-W", library).split("\n")) {
            String[] f = line.trim().split("\\s+");
            // Num: Value Size Type Bind Vis Ndx Name
            if (f.length >= 8 && f[0].endsWith(":") && !f[6].equals("UND") && !f[4].equals("LOCAL")
                    && f[5].equals("DEFAULT") && !f[3].equals("SECTION") && !f[3].equals("FILE")) {
                names.add(f[7].replaceAll("@.*", ""));
            }
        }
        return names;
    }

    private static String readelf(String a, Path library) throws IOException, InterruptedException {
        return run(List.of("readelf", a, library.toString()));
    }

    private static String readelf(String a, String b, Path library) throws IOException, InterruptedException {
        return run(List.of("readelf", a, b, library.toString()));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), command + ": " + out);
        return out;
    }
}
