package org.sipshield.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * An SRTP master key and master salt for one crypto suite, for one leg and direction.
 *
 * <p>The material never leaves this package as bytes except inside an SDP line
 * ({@link SdesCryptoAttribute#toSdpLine()}); {@link #toString()} redacts it. An
 * {@link SrtpSession} takes ownership of the key it is opened with and {@link #destroy()}s it when
 * it closes; a destroyed key cannot open another session, so a key cannot be reused by mistake.
 */
public final class SrtpMasterKey implements AutoCloseable {
    private final CryptoSuite suite;
    private final byte[] key;
    private final byte[] salt;
    private boolean destroyed;

    private SrtpMasterKey(CryptoSuite suite, byte[] key, byte[] salt) {
        this.suite = suite;
        this.key = key;
        this.salt = salt;
    }

    /**
     * Wraps key material received from a peer (copied).
     *
     * @throws IllegalArgumentException if the lengths do not match the suite
     */
    static SrtpMasterKey of(CryptoSuite suite, byte[] key, byte[] salt) {
        Objects.requireNonNull(suite, "suite");
        if (key.length != suite.masterKeyLength() || salt.length != suite.masterSaltLength()) {
            throw new IllegalArgumentException(suite + " needs a " + suite.masterKeyLength() + "-octet key and a "
                    + suite.masterSaltLength() + "-octet salt, got " + key.length + " and " + salt.length);
        }
        return new SrtpMasterKey(suite, key.clone(), salt.clone());
    }

    /** Splits key||salt as carried in an SDES inline parameter (copied). */
    static SrtpMasterKey fromConcatenated(CryptoSuite suite, byte[] keyAndSalt) {
        int k = suite.masterKeyLength();
        if (keyAndSalt.length != k + suite.masterSaltLength()) {
            throw new IllegalArgumentException("key||salt length " + keyAndSalt.length + " for " + suite);
        }
        return new SrtpMasterKey(suite, Arrays.copyOfRange(keyAndSalt, 0, k),
                Arrays.copyOfRange(keyAndSalt, k, keyAndSalt.length));
    }

    public CryptoSuite suite() {
        return suite;
    }

    public synchronized boolean isDestroyed() {
        return destroyed;
    }

    /** Zeroes the material. Idempotent. */
    public synchronized void destroy() {
        Arrays.fill(key, (byte) 0);
        Arrays.fill(salt, (byte) 0);
        destroyed = true;
    }

    @Override
    public void close() {
        destroy();
    }

    synchronized byte[] keyBytes() {
        checkLive();
        return key.clone();
    }

    synchronized byte[] saltBytes() {
        checkLive();
        return salt.clone();
    }

    synchronized byte[] concatenated() {
        checkLive();
        byte[] both = Arrays.copyOf(key, key.length + salt.length);
        System.arraycopy(salt, 0, both, key.length, salt.length);
        return both;
    }

    /** Constant-time comparison, for tests of freshness; never exposes the bytes. */
    synchronized boolean sameMaterialAs(SrtpMasterKey other) {
        byte[] mine = concatenated();
        byte[] theirs = other.concatenated();
        try {
            return java.security.MessageDigest.isEqual(mine, theirs);
        } finally {
            Arrays.fill(mine, (byte) 0);
            Arrays.fill(theirs, (byte) 0);
        }
    }

    private void checkLive() {
        if (destroyed) {
            throw new IllegalStateException("this SRTP master key was destroyed (its session closed); keys are never reused");
        }
    }

    @Override
    public String toString() {
        return "SrtpMasterKey[" + suite + ", key and salt redacted" + (destroyed ? ", destroyed" : "") + "]";
    }
}
