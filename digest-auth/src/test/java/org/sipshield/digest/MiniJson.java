package org.sipshield.digest;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads the RFC test vectors of testdata/vectors (JSON) with a few typed accessors. */
final class MiniJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MiniJson() {}

    static Path vectors() {
        String dir = System.getProperty("sipshield.vectors");
        if (dir == null) {
            throw new IllegalStateException("system property sipshield.vectors is not set (run through Maven)");
        }
        return Path.of(dir);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readVector(String fileName) throws IOException {
        return JSON.readValue(vectors().resolve(fileName).toFile(), Map.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Map<String, Object> m, String key) {
        return (Map<String, Object>) require(m, key);
    }

    static String str(Map<String, Object> m, String key) {
        return (String) require(m, key);
    }

    @SuppressWarnings("unchecked")
    static List<Object> arr(Map<String, Object> m, String key) {
        return (List<Object>) require(m, key);
    }

    private static Object require(Map<String, Object> m, String key) {
        if (!m.containsKey(key)) {
            throw new IllegalStateException("vector field missing: " + key);
        }
        return m.get(key);
    }
}
