package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertTrue;

final class NativeSessions {
    private NativeSessions() {}

    static long create(int engine, int suite, int direction, byte[] key, byte[] salt) {
        long h = SrtpNative.createSession(engine, suite, direction, key, salt, new byte[0], 128);
        assertTrue(h > 0, "createSession engine " + engine + " suite " + suite + ": status " + -h);
        return h;
    }
}
