package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * While an SRTP call is up, the proxy's own state (everything reachable from the server through
 * our classes, their collections and arrays) holds no SDP text with the caller's key, nor with the
 * key we answered the caller with: a call keeps what was negotiated (the keys as key material in
 * the relay, whether each leg is encrypted), not the SDP it was negotiated from or sent. jain-sip's own objects (its dialogs keep their first request)
 * are not walked: they are the stack's, not ours.
 */
class CallStateSecretsTest {
    private static final Pattern INLINE_KEY = Pattern.compile("a=crypto:\\S+ \\S+ inline:([A-Za-z0-9+/=]+)");

    @TempDir
    Path dataDirectory;

    @Test
    void anEstablishedSrtpCallKeepsNoSdpTextWithItsKeys() throws Exception {
        DigestSrtpCall srtpCall = new DigestSrtpCall();
        String callerKey = srtpCall.callerKey;
        try (RunningProxy proxy = srtpCall.proxy().start(dataDirectory);
                Sipp.Server pbx = srtpCall.pbx();
                Sipp.Server caller = srtpCall.startCaller(proxy, 8000)) {
            // the call is up once sipp has sent its ACK (the answer crossed both legs)
            for (int i = 0; i < 200 && !caller.messages().contains("CSeq: 2 ACK"); i++) {
                Thread.sleep(50);
            }
            assertTrue(caller.messages().contains("CSeq: 2 ACK"), "the call did not get up: " + caller.messages());
            assertEquals(1, proxy.server.activeCalls());

            Finder finder = new Finder(callerKey);
            finder.walk(proxy.server);
            assertTrue(finder.sipshieldObjects > 10, "the walk saw the proxy's state: " + finder.sipshieldObjects);
            assertEquals(List.of(), finder.found, "SDP text with the caller's key kept during the call");

            // our answer went out in the 200 (and any 183): its key is the relay's now, never kept as text
            String ourKey = null;
            for (Matcher key = INLINE_KEY.matcher(caller.messages()); key.find(); ) {
                ourKey = key.group(1).equals(callerKey) ? ourKey : key.group(1);
            }
            assertTrue(ourKey != null, "no a=crypto in our answer: " + caller.messages());
            Finder answerFinder = new Finder(ourKey);
            answerFinder.walk(proxy.server);
            assertEquals(List.of(), answerFinder.found, "SDP text with the key of our answer kept during the call");

            ProcessOutput a = caller.finish();
            ProcessOutput b = pbx.finish();
            assertEquals(0, a.exitCode(), a.output());
            assertEquals(0, b.exitCode(), b.output());
        }
    }

    /** Walks our objects (org.sipshield.*) and the JDK containers they hold, looking for the key as text. */
    private static final class Finder {
        final String key;
        final byte[] keyBytes;
        final List<String> found = new ArrayList<>();
        final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int sipshieldObjects;

        Finder(String key) {
            this.key = key;
            this.keyBytes = key.getBytes(StandardCharsets.ISO_8859_1);
        }

        void walk(Object root) throws IllegalAccessException {
            Deque<Object[]> work = new ArrayDeque<>();
            work.push(new Object[] {root, "server"});
            while (!work.isEmpty() && seen.size() < 2_000_000) {
                Object[] item = work.pop();
                Object object = item[0];
                String path = (String) item[1];
                if (object == null || !seen.add(object)) {
                    continue;
                }
                if (object instanceof String text) {
                    if (text.contains(key)) {
                        found.add(path);
                    }
                } else if (object instanceof byte[] bytes) {
                    if (contains(bytes)) {
                        found.add(path);
                    }
                } else if (object instanceof char[] chars) {
                    if (new String(chars).contains(key)) {
                        found.add(path);
                    }
                } else if (object.getClass().isArray() && !object.getClass().getComponentType().isPrimitive()) {
                    for (int i = 0; i < Array.getLength(object); i++) {
                        work.push(new Object[] {Array.get(object, i), path + "[" + i + "]"});
                    }
                } else if (object instanceof Map<?, ?> map && object.getClass().getName().startsWith("java.util")) {
                    for (Map.Entry<?, ?> entry : Map.copyOf(map).entrySet()) {
                        work.push(new Object[] {entry.getKey(), path + ".key"});
                        work.push(new Object[] {entry.getValue(), path + "[" + entry.getKey() + "]"});
                    }
                } else if (object instanceof Collection<?> collection && object.getClass().getName().startsWith("java.util")) {
                    int i = 0;
                    for (Object element : List.copyOf(collection)) {
                        work.push(new Object[] {element, path + "[" + i++ + "]"});
                    }
                } else if (object instanceof java.util.concurrent.atomic.AtomicReference<?> reference) {
                    work.push(new Object[] {reference.get(), path + ".get()"});
                } else if (object instanceof java.util.Optional<?> optional) {
                    work.push(new Object[] {optional.orElse(null), path + ".get()"});
                } else if (object.getClass().getName().startsWith("org.sipshield")) {
                    sipshieldObjects++;
                    for (Class<?> type = object.getClass(); type != null && type.getName().startsWith("org.sipshield");
                            type = type.getSuperclass()) {
                        for (Field field : type.getDeclaredFields()) {
                            if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                                continue;
                            }
                            field.setAccessible(true);
                            work.push(new Object[] {field.get(object), path + "." + field.getName()});
                        }
                    }
                }
            }
        }

        private boolean contains(byte[] bytes) {
            outer:
            for (int i = 0; i + keyBytes.length <= bytes.length; i++) {
                for (int j = 0; j < keyBytes.length; j++) {
                    if (bytes[i + j] != keyBytes[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }
}
