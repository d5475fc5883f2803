package org.sipshield.proxy.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blocks Redis held when this node last looked, per block list (the brute-force guard's, the
 * operator's): what a LOCAL_ONLY node still enforces while Redis is down. Only lists this node has
 * used are followed, so a refresh costs one listing per list in use, of at most {@link #MAX_COPIED}
 * blocks (those that end last): a botnet's thousands of blocked sources must not make every node
 * read them all every second.
 */
final class SharedBlocksCopy {
    static final int MAX_COPIED = 10_000;

    private final Set<String> lists = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, Instant>> blocks = new ConcurrentHashMap<>();

    void follow(String list) {
        lists.add(list);
    }

    /** Makes the copy what Redis answers now; a list Redis fails to list keeps its last copy. */
    void refresh(RedisCounters redis) {
        for (String list : lists) {
            blocks.put(list, new ConcurrentHashMap<>(redis.latestBlocks(list, MAX_COPIED)));
        }
    }

    void blocked(String list, String key, Instant until) {
        blocks.computeIfAbsent(list, name -> new ConcurrentHashMap<>()).put(key, until);
    }

    /** The same keys as a shared lift: the key, and with sub-keys every key of it (source + user). */
    boolean unblock(String list, String key, boolean withSubKeys) {
        Map<String, Instant> copy = blocks.get(list);
        String subKeys = key + "\u0000";
        return copy != null && copy.keySet().removeIf(k -> k.equals(key) || withSubKeys && k.startsWith(subKeys));
    }

    boolean anyBlocked(String list, List<String> keys) {
        Map<String, Instant> copy = blocks.get(list);
        if (copy == null) {
            return false;
        }
        Instant now = Instant.now(); // Redis expires its blocks on wall-clock time too
        for (String key : keys) {
            Instant until = copy.get(key);
            if (until != null && now.isBefore(until)) {
                return true;
            }
        }
        return false;
    }

    Map<String, Instant> blocks(String list) {
        Instant now = Instant.now();
        Map<String, Instant> inForce = new java.util.LinkedHashMap<>();
        blocks.getOrDefault(list, Map.of()).forEach((key, until) -> {
            if (now.isBefore(until)) {
                inForce.put(key, until);
            }
        });
        return inForce;
    }
}
