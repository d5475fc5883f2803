package org.sipshield.media.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Just enough bencode for rtpengine's ng control protocol: strings, integers, lists, dictionaries. */
final class Bencode {
    private Bencode() {}

    static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, value);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object v) {
        if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeBytes((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
        } else if (v instanceof Number n) {
            out.writeBytes(("i" + n.longValue() + "e").getBytes(StandardCharsets.US_ASCII));
        } else if (v instanceof List<?> l) {
            out.write('l');
            l.forEach(x -> write(out, x));
            out.write('e');
        } else if (v instanceof Map<?, ?> m) {
            out.write('d');
            new TreeMap<>(m).forEach((k, x) -> {
                write(out, k);
                write(out, x);
            });
            out.write('e');
        } else {
            throw new IllegalArgumentException("cannot bencode " + v);
        }
    }

    static Object decode(byte[] data) {
        int[] pos = {0};
        return read(data, pos);
    }

    private static Object read(byte[] d, int[] p) {
        char c = (char) d[p[0]];
        if (c == 'i') {
            int end = indexOf(d, 'e', p[0]);
            long v = Long.parseLong(new String(d, p[0] + 1, end - p[0] - 1, StandardCharsets.US_ASCII));
            p[0] = end + 1;
            return v;
        }
        if (c == 'l') {
            p[0]++;
            List<Object> l = new ArrayList<>();
            while (d[p[0]] != 'e') {
                l.add(read(d, p));
            }
            p[0]++;
            return l;
        }
        if (c == 'd') {
            p[0]++;
            Map<String, Object> m = new LinkedHashMap<>();
            while (d[p[0]] != 'e') {
                String k = (String) read(d, p);
                m.put(k, read(d, p));
            }
            p[0]++;
            return m;
        }
        int colon = indexOf(d, ':', p[0]);
        int len = Integer.parseInt(new String(d, p[0], colon - p[0], StandardCharsets.US_ASCII));
        String s = new String(d, colon + 1, len, StandardCharsets.UTF_8);
        p[0] = colon + 1 + len;
        return s;
    }

    private static int indexOf(byte[] d, char c, int from) {
        for (int i = from; i < d.length; i++) {
            if (d[i] == c) {
                return i;
            }
        }
        throw new IllegalArgumentException("truncated bencode");
    }
}
