package org.sipshield.proxy.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * The tags the proxy generates cannot be predicted from earlier ones. The attack this test runs is
 * the one ThreadLocalRandom allows: its next output is mix64(seed + gamma of the thread), and mix64
 * is a bijection, so two tags give the generator's state and every later tag of that thread. A
 * CSPRNG makes every prediction miss.
 */
class SipIdentifiersTest {
    private static final long GAMMA = 0x9e3779b97f4a7c15L;
    private static final long M1 = 0xff51afd7ed558ccdL;
    private static final long M2 = 0xc4ceb9fe1a85ec53L;
    private static final long M1_INVERSE = inverse(M1);
    private static final long M2_INVERSE = inverse(M2);
    private static final Pattern TAG = Pattern.compile("(?im)^To:.*;tag=([0-9a-f]+)");

    @TempDir
    Path dataDirectory;

    @Test
    void tagsOfTheProxysAnswersAreNotPredictableFromEarlierOnes() throws Exception {
        List<Long> tags = new ArrayList<>();
        try (RunningProxy proxy = new RunningProxy(dataDirectory);
                UdpSipClient client = new UdpSipClient("127.0.0.1", "127.0.0.1", proxy.sipPort)) {
            // OPTIONS pings to the proxy itself are answered by the proxy with a tag of its own
            for (int i = 0; i < 48; i++) {
                String answer = client.exchange(client.request("OPTIONS", "sip:127.0.0.1:" + proxy.sipPort, "ping",
                        "ping", "tags-" + i, 1, ""));
                Matcher tag = TAG.matcher(answer);
                assertTrue(tag.find(), "no To tag in: " + answer);
                tags.add(Long.parseUnsignedLong(tag.group(1), 16));
            }
        }
        assertEquals(tags.size(), new HashSet<>(tags).size(), "a tag repeated");
        // Java 17's ThreadLocalRandom: seed += GAMMA + 2 * threadId, output mix64(seed). Two tags a, b
        // of one thread, k draws apart, have unmix64(b) - unmix64(a) == k * (GAMMA + 2 * threadId)
        // for a small thread id: that relation is what an attacker tests to find the next tags.
        List<String> guessed = new ArrayList<>();
        for (long a : tags) {
            for (long b : tags) {
                if (a != b && related(a, b)) {
                    guessed.add(Long.toHexString(a) + " -> " + Long.toHexString(b));
                }
            }
        }
        assertEquals(List.of(), guessed, "tags predicted from earlier tags (ThreadLocalRandom's state recovered)");
        // the stack's own generator (branch ids) was replaced when the proxy started; java.util.Random
        // is predictable in the same way (48 bits of state), so it must not be left in place
        assertTrue(SipIdentifiers.jainSipIsSecure(), "jain-sip still generates branch ids from java.util.Random");
    }

    private static boolean related(long a, long b) {
        // a tag may have been the generator's output with its top bit cleared
        for (long outputA : new long[] {a, a | Long.MIN_VALUE}) {
            for (long outputB : new long[] {b, b | Long.MIN_VALUE}) {
                long distance = unmix64(outputB) - unmix64(outputA);
                for (long k = 1; k <= 8; k++) {
                    long rest = distance - k * GAMMA;
                    if (Long.remainderUnsigned(rest, 2 * k) == 0
                            && Long.compareUnsigned(Long.divideUnsigned(rest, 2 * k), 100_000) < 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** ThreadLocalRandom's output function (java.util.concurrent.ThreadLocalRandom.mix64). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 33)) * M1;
        z = (z ^ (z >>> 33)) * M2;
        return z ^ (z >>> 33);
    }

    /** Its inverse: a 33-bit xorshift is its own inverse, the odd multipliers have inverses mod 2^64. */
    private static long unmix64(long z) {
        z = z ^ (z >>> 33);
        z = (z * M2_INVERSE);
        z = z ^ (z >>> 33);
        z = (z * M1_INVERSE);
        return z ^ (z >>> 33);
    }

    private static long inverse(long odd) {
        return new BigInteger(Long.toUnsignedString(odd)).modInverse(BigInteger.ONE.shiftLeft(64)).longValue();
    }

    @Test
    void unmix64UndoesMix64SoTheAttackAboveIsSound() {
        // guards the attack itself: a wrong inverse would make the test above pass whatever the generator
        for (long x : new long[] {0L, 1L, -1L, 0x123456789abcdefL, GAMMA}) {
            assertEquals(x, unmix64(mix64(x)));
        }
    }
}
