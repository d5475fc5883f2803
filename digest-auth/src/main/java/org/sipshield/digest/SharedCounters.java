package org.sipshield.digest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The security state that several servers behind one address must share, or an attacker spreads
 * his attempts over them: failed-attempt counts, blocks, and which (nonce, nc) pairs were used.
 * {@link LocalCounters} keeps it in this process; a cluster puts it in a shared store. Keys are
 * the callers' opaque strings; a block belongs to a named list (the brute-force guard's, an
 * operator's), so one list can be shown or lifted without the other.
 *
 * <p>Every method may throw {@link Unavailable} when the shared store cannot be reached and the
 * deployment chose to refuse rather than count alone.
 */
public interface SharedCounters {

    /** What a (nonce, nc) pair is: first use, a replay, or too old to tell (rechallenge with stale=true). */
    enum NonceUse { FIRST, REPLAY, FORGOTTEN }

    /** The shared store cannot be reached and the deployment refuses what it cannot check. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Counts one failure under each key, in a window opened by the key's first failure; returns the
     * count of each key in its window, in the order given.
     */
    long[] countFailures(List<String> keys, Duration window);

    /** Forgets a key's failures (a success). */
    void clearFailures(String key);

    /**
     * Records a use of nonce count {@code nc} of a nonce valid until {@code expiresAtMillis}
     * (nothing about it needs keeping past that).
     */
    NonceUse useNonceCount(String nonce, long nc, long issuedAtMillis, long expiresAtMillis, long nowMillis);

    /** Whether any of these keys holds a block of that list in force. */
    boolean anyBlocked(String list, List<String> keys);

    /** Blocks a key of the list until then (a later block replaces an earlier one); forgets its failures. */
    void block(String list, String key, Instant until);

    /**
     * Lifts the block of a key and, with {@code withSubKeys}, of every key made of it, a NUL and
     * more (each user from that source); their failures are forgotten too. True when a block was lifted.
     */
    boolean unblock(String list, String key, boolean withSubKeys);

    /** The blocks of the list in force now, key to end. */
    Map<String, Instant> blocks(String list);
}
