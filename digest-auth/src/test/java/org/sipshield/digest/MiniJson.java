package org.sipshield.digest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON (objects, arrays, strings, literals) to read testdata/vectors without a library. */
final class MiniJson {

    private final String s;
    private int pos;

    private MiniJson(String s) {
        this.s = s;
    }

    static Path vectors() {
        String dir = System.getProperty("sipshield.vectors");
        if (dir == null) {
            throw new IllegalStateException("system property sipshield.vectors is not set (run through Maven)");
        }
        return Path.of(dir);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readVector(String fileName) throws IOException {
        return (Map<String, Object>) new MiniJson(Files.readString(vectors().resolve(fileName), StandardCharsets.UTF_8)).value();
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

    private Object value() {
        ws();
        char c = s.charAt(pos);
        switch (c) {
            case '{': {
                pos++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(pos) == '}') {
                    pos++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(pos) == ',') {
                        pos++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            case '[': {
                pos++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(pos) == ']') {
                    pos++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(pos) == ',') {
                        pos++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            case '"':
                return string();
            default: {
                int start = pos;
                while (pos < s.length() && ",}] \n\r\t".indexOf(s.charAt(pos)) < 0) {
                    pos++;
                }
                return s.substring(start, pos);
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> sb.append(e);
                }
            } else {
                sb.append(c);
            }
        }
    }

    private void ws() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private void expect(char c) {
        if (s.charAt(pos) != c) {
            throw new IllegalStateException("JSON: expected '" + c + "' at " + pos);
        }
        pos++;
    }
}
