package org.sipshield.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Reads the {@code redis:} section. The URL is logged at start and shown in problems, so one that
 * carries credentials (user info or a query) is refused without being echoed: the user goes in
 * {@code redis.user}, the password in {@code redis.passwordFile}.
 */
final class RedisSettingsReader {
    private RedisSettingsReader() {}

    static RedisSettings redis(YamlMapping m) {
        String url = m.string("url", null);
        boolean tls = false;
        if (url == null) {
            m.problem("url", "is required in a redis section", "redis://host:port or rediss://host:port (TLS)");
        } else {
            tls = checkUrl(m, url);
        }
        String user = m.string("user", null);
        if (user != null && !user.matches("[A-Za-z0-9._\\-]{1,64}")) {
            m.problem("user", "is not an ACL user name", "letters, digits, '.', '_', '-', up to 64 characters");
        }
        Path passwordFile = path(m, "passwordFile");
        Path caFile = path(m, "caFile");
        if (caFile != null && url != null && !tls) {
            m.problem("caFile", "is given for a redis:// URL", "a rediss:// URL (TLS), or no caFile");
        }
        int timeout = m.integer("timeoutMillis", RedisSettings.DEFAULT_TIMEOUT_MILLIS, 10, 10_000);
        RedisSettings.Unavailable unavailable = m.enumValue("unavailable", RedisSettings.Unavailable.class,
                RedisSettings.Unavailable.LOCAL_ONLY, Enum::name);
        m.finish();
        return new RedisSettings(url, user, passwordFile, caFile, timeout, unavailable);
    }

    /** True for rediss:// (TLS). */
    private static boolean checkUrl(YamlMapping m, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            m.problem("url", "is not a URL", "redis://host:port or rediss://host:port (TLS)");
            return false;
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
            m.problem("url", "the URL holds credentials or options", "redis://host:port[/db]: the user in redis.user,"
                    + " the password in redis.passwordFile");
            return false;
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            m.problem("url", "not a Redis URL", "redis://host:port or rediss://host:port (TLS)");
            return false;
        }
        if (uri.getHost() == null) {
            m.problem("url", "names no host", "redis://host:port");
        }
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.matches("/(\\d{1,2})?")) {
            m.problem("url", "the path is not a database number", "/0 to /99, or none (database 0)");
        }
        return "rediss".equals(uri.getScheme());
    }

    private static Path path(YamlMapping m, String key) {
        String text = m.string(key, null);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            m.problem(key, "is empty", "the path of a file, or no key");
            return null;
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            m.problem(key, "'" + text + "' is not a valid path", null);
            return null;
        }
    }
}
