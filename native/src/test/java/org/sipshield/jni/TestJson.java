package org.sipshield.jni;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the RFC test vectors of testdata/vectors (JSON) for the native and srtp tests, with a
 * few typed accessors; the system property sipshield.vectors (set by Maven) names the folder.
 */
public final class TestJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestJson() {}

    @SuppressWarnings("unchecked")
    public static Map<String, Object> vectors(String file) {
        String dir = System.getProperty("sipshield.vectors");
        if (dir == null) {
            throw new IllegalStateException("system property sipshield.vectors is not set (run through Maven)");
        }
        try {
            return JSON.readValue(Path.of(dir, file).toFile(), Map.class);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read vector file " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> obj(Object o, String key) {
        return (Map<String, Object>) ((Map<String, Object>) o).get(key);
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o, String key) {
        return (List<Object>) ((Map<String, Object>) o).get(key);
    }

    public static String str(Object o, String key) {
        Object v = ((Map<?, ?>) o).get(key);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("no string field " + key);
        }
        return (String) v;
    }

    public static byte[] hex(Object o, String key) {
        return unhex(str(o, key));
    }

    public static byte[] unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) Integer.parseInt(h.substring(2 * k, 2 * k + 2), 16);
        }
        return b;
    }
}
