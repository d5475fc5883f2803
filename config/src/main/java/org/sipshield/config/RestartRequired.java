package org.sipshield.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The keys a running proxy cannot take on a reload: what its sockets are bound to, where its data
 * and database are, and the names it gave itself when it started. Every other key applies on reload.
 * A reload that changes one of these is refused whole, naming each, and the running configuration
 * stays.
 */
public final class RestartRequired {
    private record Key<T>(String path, Function<SipShieldConfig, T> value) {}

    private static final List<Key<?>> KEYS = List.of(
            new Key<>("listeners", SipShieldConfig::listeners),
            // Via, Contact and the generated certificates' CN are made from it when the stack starts
            new Key<>("server.hostName", c -> c.server().hostName()),
            new Key<>("server.nodeName", c -> c.server().nodeName()),
            new Key<>("server.dataDirectory", c -> c.server().dataDirectory()),
            // the watchdog's checking period is derived from it when its thread starts
            new Key<>("server.stallWarningSeconds", c -> c.server().stallWarningSeconds()),
            new Key<>("database.url", c -> c.database().url()),
            new Key<>("database.user", c -> c.database().user()),
            new Key<>("database.passwordFile", c -> c.database().passwordFile()),
            // the shared counters' connection, its probe and the rule are set up at start
            new Key<>("redis.url", c -> c.redis().url()),
            new Key<>("redis.user", c -> c.redis().user()),
            new Key<>("redis.passwordFile", c -> c.redis().passwordFile()),
            new Key<>("redis.caFile", c -> c.redis().caFile()),
            new Key<>("redis.timeoutMillis", c -> c.redis().timeoutMillis()),
            new Key<>("redis.unavailable", c -> c.redis().unavailable()),
            new Key<>("management.enabled", c -> c.management().enabled()),
            new Key<>("management.address", c -> c.management().address()),
            new Key<>("management.port", c -> c.management().port()),
            // the relay's sockets are bound in this range, on this address, for the life of the process
            new Key<>("media.address", c -> c.media().address()),
            new Key<>("media.portMin", c -> c.media().portMin()),
            new Key<>("media.portMax", c -> c.media().portMax()),
            // the relay warms up once, when it starts
            new Key<>("media.warmUp", c -> c.media().warmUp()),
            // each event loop takes its scheduling when the relay starts
            new Key<>("media.realtimePriority", c -> c.media().realtimePriority()),
            // and its batch window
            new Key<>("media.batchWindowMicros", c -> c.media().batchWindowMicros()));

    private RestartRequired() {}

    /** One line per key that differs: "key: running value -> file's value (needs a restart)"; empty when none does. */
    public static List<String> changedKeys(SipShieldConfig running, SipShieldConfig next) {
        List<String> changed = new ArrayList<>();
        for (Key<?> key : KEYS) {
            Object before = key.value().apply(running);
            Object after = key.value().apply(next);
            if (!Objects.equals(before, after)) {
                changed.add(key.path() + ": " + shown(before) + " -> " + shown(after)
                        + " changes only with a restart");
            }
        }
        return changed;
    }

    /** Every key that needs a restart, for the documentation and its test. */
    public static List<String> keys() {
        return KEYS.stream().map(Key::path).toList();
    }

    private static String shown(Object value) {
        return value instanceof List<?> list ? list.toString() : String.valueOf(value);
    }
}
