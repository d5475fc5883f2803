package org.sipshield.proxy.b2bua;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sipshield.config.Destination;
import org.sipshield.config.SipTrunk;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the OPTIONS pings learnt of each trunk destination: up, or down since a ping got no answer,
 * 408 or 503. Routing skips a destination only while it is known to be down; one never pinged
 * (pings off, or not pinged yet) counts as up. Kept beside the model, keyed by trunk name and the
 * destination's address, so a reload keeps what is still configured and forgets the rest.
 */
public final class TrunkHealth {
    private static final Logger LOG = LoggerFactory.getLogger(TrunkHealth.class);

    /** One destination of one trunk, as routing sees it (the address resolved at load). */
    public record Key(String trunk, String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * @param position the destination's place in its trunk's list, from 1 (a bounded metric label)
     * @param answer   what the last ping got: a status code, "timeout" or "unreachable"
     */
    public record State(Key key, int position, boolean up, String answer, Instant since) {}

    private final Map<Key, State> states = new ConcurrentHashMap<>();
    private final Clock clock;

    public TrunkHealth(Clock clock) {
        this.clock = clock;
    }

    /** False only while the destination's last ping failed. */
    public boolean isUp(String trunk, Hop hop) {
        State state = states.get(new Key(trunk, hop.host(), hop.port()));
        return state == null || state.up();
    }

    /**
     * A ping's outcome; a change of state is logged (a destination going down at WARN). Operators
     * expect any answer to mean up except 408 and 503 (the peer says it cannot serve).
     */
    void record(Key key, int position, boolean up, String answer) {
        State previous = states.get(key);
        boolean changed = previous == null ? !up : previous.up() != up;
        Instant since = previous != null && !changed ? previous.since() : clock.instant();
        states.put(key, new State(key, position, up, answer, since));
        if (changed && up) {
            LOG.info("trunk {}: destination {} is up again (OPTIONS ping answered {})", key.trunk(), key, answer);
        } else if (changed) {
            LOG.warn("trunk {}: destination {} is down (OPTIONS ping: {}); calls skip it until it answers",
                    key.trunk(), key, answer);
        }
    }

    /** Forgets destinations no longer configured or no longer pinged (they count as up again). */
    void retainOnly(Collection<Key> pinged) {
        states.keySet().retainAll(pinged);
    }

    /**
     * Every destination of every trunk of the model in order, pinged or not: one never pinged (or
     * pinged without an answer yet) as up, with a null answer.
     */
    public List<State> destinations(SecurityModel model) {
        List<State> all = new ArrayList<>();
        for (SipTrunk trunk : model.config().sipTrunks()) {
            List<Destination> destinations = model.destinations(trunk);
            for (int i = 0; i < destinations.size(); i++) {
                Key key = new Key(trunk.name(), destinations.get(i).host(), destinations.get(i).port());
                State state = states.get(key);
                all.add(state != null ? state : new State(key, i + 1, true, null, null));
            }
        }
        return all;
    }

    /** Every destination pinged at least once, in no particular order. */
    public List<State> states() {
        return new ArrayList<>(states.values());
    }
}
