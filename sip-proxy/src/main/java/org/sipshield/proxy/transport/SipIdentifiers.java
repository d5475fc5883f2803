package org.sipshield.proxy.transport;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;

/**
 * The SIP identifiers we generate (tags, Call-IDs) from a CSPRNG. A tag or Call-ID an attacker
 * can predict lets them forge in-dialog requests (a BYE, a re-INVITE) or match a CANCEL to a
 * call they never saw: ThreadLocalRandom and java.util.Random give their next outputs away from
 * earlier ones (ThreadLocalRandom's state is one invertible mix of its last output).
 *
 * <p>jain-sip generates branch ids (and the Call-IDs and tags of its own convenience methods) from
 * one static java.util.Random seeded with System.nanoTime(). {@link #secureJainSip()} swaps that
 * generator for a SecureRandom (a subclass of Random, so jain-sip's calls stay the same) before the
 * stack sends anything.
 */
public final class SipIdentifiers {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SipIdentifiers() {
    }

    /** A From/To tag: 64 random bits, hexadecimal. */
    public static String tag() {
        return HexFormat.of().toHexDigits(RANDOM.nextLong());
    }

    /** A Call-ID: 128 random bits, hexadecimal (no host part: it would only tell who we are). */
    public static String callId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Makes jain-sip's own identifier generator (gov.nist.javax.sip.Utils.rand) a SecureRandom.
     * Fails loudly when a jain-sip upgrade moved the field: silently keeping the weak generator
     * is what this exists to prevent.
     */
    public static synchronized void secureJainSip() {
        try {
            Field field = gov.nist.javax.sip.Utils.class.getDeclaredField("rand");
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() != Random.class) {
                throw new IllegalStateException("gov.nist.javax.sip.Utils.rand is not a static java.util.Random");
            }
            field.setAccessible(true);
            if (!(field.get(null) instanceof SecureRandom)) {
                field.set(null, new SecureRandom());
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot replace jain-sip's identifier generator with a SecureRandom", e);
        }
    }

    /** Whether jain-sip's identifier generator is a SecureRandom (for the test that checks it). */
    public static boolean jainSipIsSecure() {
        try {
            Field field = gov.nist.javax.sip.Utils.class.getDeclaredField("rand");
            field.setAccessible(true);
            return field.get(null) instanceof SecureRandom;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
