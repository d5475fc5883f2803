package org.sipshield.proxy.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipshield.config.RedisSettings;
import org.sipshield.digest.SharedCounters;

/**
 * {@link SharedCounters} in Redis, so that every node sees the same counts, blocks and used
 * nonce counts. Each operation is one command or one Lua script (atomic, one round trip); every
 * call waits at most {@code redis.timeoutMillis} and fails at once while the connection is down
 * (Lettuce reconnects by itself meanwhile), so a jain-sip thread is never held longer.
 *
 * <p>Keys: {@code sipshield:fail:<key>} (a failure count expiring with its window),
 * {@code sipshield:block:<list>:<key>} (a block expiring at its end) with the sorted set
 * {@code sipshield:blocks:<list>} (key by end) to list a list's blocks without scanning,
 * {@code sipshield:nc:<nonce>:<nc>} (set once, NX, expiring with the nonce).
 */
final class RedisCounters implements SharedCounters, AutoCloseable {
    private static final String PREFIX = "sipshield:";
    /** A nonce's used counts are kept this much past its validity, for the nodes' clock skew. */
    private static final long NONCE_MARGIN_MILLIS = 60_000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** INCR each key; the first failure of a window sets its expiry, so the window starts there. */
    private static final String COUNT_FAILURES = """
            local counts = {}
            for i, key in ipairs(KEYS) do
              counts[i] = redis.call('INCR', key)
              if counts[i] == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
            end
            return counts""";
    /** KEYS: block, list index, failures; ARGV: end (epoch ms), member. */
    private static final String BLOCK = """
            redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
            redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
            redis.call('DEL', KEYS[3])
            return 1""";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;

    private RedisCounters(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
    }

    /** Connects (the password read from its file, never logged); throws when Redis cannot be reached now. */
    static RedisCounters connect(RedisSettings settings) throws IOException {
        RedisURI parsed = RedisURI.create(settings.url());
        Duration timeout = Duration.ofMillis(settings.timeoutMillis());
        // connecting (TCP, TLS, AUTH) may take longer than a command, the first time in a JVM above
        // all; commands still give up after redis.timeoutMillis (TimeoutOptions below)
        RedisURI.Builder uri = RedisURI.builder().withHost(parsed.getHost()).withPort(parsed.getPort())
                .withDatabase(parsed.getDatabase()).withSsl(parsed.isSsl()).withTimeout(CONNECT_TIMEOUT.plus(timeout));
        if (settings.passwordFile() != null) {
            char[] password = Files.readString(settings.passwordFile(), StandardCharsets.UTF_8).strip().toCharArray();
            uri = settings.user() == null ? uri.withPassword(password) : uri.withAuthentication(settings.user(), password);
        } else if (settings.user() != null) {
            uri = uri.withAuthentication(settings.user(), new char[0]);
        }
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                // while reconnecting a command fails at once, it is not queued behind the outage
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build());
        if (settings.caFile() != null) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(settings.caFile().toFile()).build());
        }
        RedisClient client = RedisClient.create();
        client.setOptions(options.build());
        try {
            return new RedisCounters(client, client.connect(uri.build()));
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw e;
        }
    }

    /** One round trip: whether Redis answers now. */
    void ping() {
        redis.ping();
    }

    @Override
    public long[] countFailures(List<String> keys, Duration window) {
        List<Long> counts = redis.eval(COUNT_FAILURES, ScriptOutputType.MULTI,
                keys.stream().map(key -> PREFIX + "fail:" + key).toArray(String[]::new),
                Long.toString(window.toMillis()));
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public void clearFailures(String key) {
        // on the success path: sent without waiting for the answer, a success costs no extra round trip
        connection.async().del(PREFIX + "fail:" + key);
    }

    @Override
    public NonceUse useNonceCount(String nonce, long nc, long issuedAtMillis, long expiresAtMillis, long nowMillis) {
        String first = redis.set(PREFIX + "nc:" + nonce + ":" + Long.toHexString(nc), "1",
                SetArgs.Builder.nx().pxAt(Math.max(expiresAtMillis, nowMillis) + NONCE_MARGIN_MILLIS));
        return "OK".equals(first) ? NonceUse.FIRST : NonceUse.REPLAY;
    }

    @Override
    public boolean anyBlocked(String list, List<String> keys) {
        return redis.exists(keys.stream().map(key -> blockKey(list, key)).toArray(String[]::new)) > 0;
    }

    @Override
    public void block(String list, String key, Instant until) {
        String end = Long.toString(until.toEpochMilli());
        redis.eval(BLOCK, ScriptOutputType.INTEGER,
                new String[] {blockKey(list, key), PREFIX + "blocks:" + list, PREFIX + "fail:" + key}, end, key);
    }

    @Override
    public boolean unblock(String list, String key, boolean withSubKeys) {
        String subKeys = key + "\u0000";
        List<String> members = new ArrayList<>();
        for (String member : redis.zrange(PREFIX + "blocks:" + list, 0, -1)) {
            if (member.equals(key) || withSubKeys && member.startsWith(subKeys)) {
                members.add(member);
            }
        }
        List<String> failures = new ArrayList<>(List.of(PREFIX + "fail:" + key));
        if (withSubKeys) {
            failures.addAll(scan(PREFIX + "fail:" + glob(subKeys) + "*"));
        }
        redis.del(failures.toArray(String[]::new));
        if (members.isEmpty()) {
            return false;
        }
        redis.zrem(PREFIX + "blocks:" + list, members.toArray(String[]::new));
        return redis.del(members.stream().map(member -> blockKey(list, member)).toArray(String[]::new)) > 0;
    }

    @Override
    public Map<String, Instant> blocks(String list) {
        return latestBlocks(list, -1);
    }

    /** The blocks of a list that end last, at most limit of them (-1: all, by end). */
    Map<String, Instant> latestBlocks(String list, int limit) {
        String index = PREFIX + "blocks:" + list;
        long now = System.currentTimeMillis();
        redis.zremrangebyscore(index, Range.create(Double.NEGATIVE_INFINITY, (double) now));
        Map<String, Instant> blocks = new LinkedHashMap<>();
        var entries = limit < 0 ? redis.zrangeWithScores(index, 0, -1) : redis.zrevrangeWithScores(index, 0, limit - 1);
        for (ScoredValue<String> entry : entries) {
            blocks.put(entry.getValue(), Instant.ofEpochMilli((long) entry.getScore()));
        }
        return blocks;
    }

    /** An operator's look-up, never on the request path; bounded by the number of keys. */
    private List<String> scan(String pattern) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return keys;
    }

    private static String blockKey(String list, String key) {
        return PREFIX + "block:" + list + ":" + key;
    }

    /** A key as a SCAN pattern matching only itself. */
    private static String glob(String key) {
        return key.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
