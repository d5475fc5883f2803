package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** redis.*: counters in memory by default, a shared Redis over TLS with an ACL user, every problem listed. */
class RedisConfigTest {
    private static final String BASE = """
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
            """;

    @Test
    void withoutTheSectionEachNodeCountsInMemory() throws Exception {
        SipShieldConfig config = ConfigLoader.parse(BASE, "t.yaml");
        assertFalse(config.redis().isShared());
        assertEquals(RedisSettings.none(), config.redis());
    }

    @Test
    void aTlsUrlAclUserPasswordFileCaFileTimeoutAndRuleAreRead() throws Exception {
        SipShieldConfig config = ConfigLoader.parse("""
                redis:
                  url: "rediss://redis.example.net:6380/2"
                  user: sipshield
                  passwordFile: /etc/sipshield/redis.password
                  caFile: /etc/sipshield/redis-ca.pem
                  timeoutMillis: 100
                  unavailable: FAIL_CLOSED
                """ + BASE, "t.yaml");
        assertEquals(new RedisSettings("rediss://redis.example.net:6380/2", "sipshield",
                Path.of("/etc/sipshield/redis.password"), Path.of("/etc/sipshield/redis-ca.pem"), 100,
                RedisSettings.Unavailable.FAIL_CLOSED), config.redis());
        assertEquals(RedisSettings.Unavailable.LOCAL_ONLY,
                ConfigLoader.parse("redis: {url: \"redis://127.0.0.1\"}\n" + BASE, "t.yaml").redis().unavailable());
    }

    @Test
    void everyProblemIsListedAndNoCredentialOfTheUrlIsRepeated() {
        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                redis:
                  url: "redis://sipshield:hunter2@redis.example.net:6379"
                  user: "two words"
                  passwordFile: ""
                  timeoutMillis: 0
                  unavailable: SOMETIMES
                  pool: 4
                """ + BASE, "t.yaml"));
        List<String> paths = refused.problems().stream().map(ConfigProblem::path).toList();
        assertEquals(List.of("redis.url", "redis.user", "redis.passwordFile", "redis.timeoutMillis",
                "redis.unavailable", "redis.pool"), paths.stream().sorted((a, b) -> order(a) - order(b)).toList(),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("hunter2"), refused.getMessage());

        ConfigException plain = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "redis: {url: \"redis://127.0.0.1:6379/?password=x\", caFile: /ca.pem}\n" + BASE, "t.yaml"));
        assertTrue(plain.getMessage().contains("redis.url: the URL holds credentials"), plain.getMessage());
        assertTrue(plain.getMessage().contains("redis.caFile: is given for a redis:// URL"), plain.getMessage());
        ConfigException other = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "redis: {url: \"memcached://127.0.0.1\"}\n" + BASE, "t.yaml"));
        assertTrue(other.getMessage().contains("redis.url: not a Redis URL"), other.getMessage());
    }

    private static int order(String path) {
        return List.of("redis.url", "redis.user", "redis.passwordFile", "redis.timeoutMillis", "redis.unavailable",
                "redis.pool").indexOf(path);
    }
}
