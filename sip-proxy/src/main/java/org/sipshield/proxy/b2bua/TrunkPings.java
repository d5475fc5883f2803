package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.SipURI;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.Destination;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.Transport;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.transport.SipIdentifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OPTIONS pings to every destination of every trunk whose optionsPingIntervalSeconds is not 0, over
 * the trunk's outgoing transport, from one thread of their own. A ping is a request like any other
 * we send the trunk: its 401/407 is answered once (TrunkChallengeResponder). The outcome goes to
 * {@link TrunkHealth}. The trunks are read from the model of the moment, so a reload changes what
 * is pinged at the next tick.
 */
final class TrunkPings implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrunkPings.class);
    private static final long TICK_MILLIS = 250;

    private final SipMessaging sip;
    private final Supplier<SecurityModel> model;
    private final TrunkChallengeResponder challenges;
    private final TrunkHealth health;
    private final Map<ClientTransaction, Ping> outstanding = new ConcurrentHashMap<>();
    /** When each destination is next due (System.nanoTime); touched by the ping thread only. */
    private final Map<TrunkHealth.Key, Long> due = new HashMap<>();
    private ScheduledExecutorService thread;

    /** One ping on its way, and the digest answer it carries (null on the first try). */
    private record Ping(TrunkHealth.Key key, int position, Peer.Trunk peer, SipProvider provider, DigestAnswer answer) {}

    TrunkPings(SipMessaging sip, Supplier<SecurityModel> model, TrunkChallengeResponder challenges, TrunkHealth health) {
        this.sip = sip;
        this.model = model;
        this.challenges = challenges;
        this.health = health;
    }

    synchronized void start() {
        if (thread == null) {
            thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread t = new Thread(runnable, "sipshield-trunk-pings");
                t.setDaemon(true);
                return t;
            });
            thread.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        try {
            SecurityModel current = model.get();
            long now = System.nanoTime();
            Set<TrunkHealth.Key> pinged = new HashSet<>();
            for (SipTrunk trunk : current.config().sipTrunks()) {
                int interval = trunk.optionsPingIntervalSeconds();
                if (interval == 0) {
                    continue;
                }
                List<Destination> destinations = current.destinations(trunk);
                for (int i = 0; i < destinations.size(); i++) {
                    Destination destination = destinations.get(i);
                    TrunkHealth.Key key = new TrunkHealth.Key(trunk.name(), destination.host(), destination.port());
                    pinged.add(key);
                    long period = TimeUnit.SECONDS.toNanos(interval);
                    Long next = due.get(key);
                    if (next == null || next - now > period) {
                        // a new destination (start, reload) counts as up for its first interval; a
                        // shorter interval from a reload applies now
                        due.put(key, now + period);
                    } else if (now - next >= 0) {
                        due.put(key, now + period);
                        ping(key, i + 1, new Peer.Trunk(trunk, current.profileOf(trunk)), interval);
                    }
                }
            }
            due.keySet().retainAll(pinged);
            health.retainOnly(pinged);
        } catch (RuntimeException e) {
            LOG.warn("trunk pings: {}", e.toString()); // the next tick tries again
        }
    }

    private void ping(TrunkHealth.Key key, int position, Peer.Trunk peer, int intervalSeconds) {
        Transport transport = TargetResolver.outgoingTransport(peer.profile());
        SipProvider provider = sip.provider(transport);
        if (provider == null) {
            LOG.debug("trunk {}: no {} listener to ping {}", key.trunk(), transport, key);
            return;
        }
        try {
            Request options = options(key, transport, provider);
            send(options, new Ping(key, position, peer, provider, null), intervalSeconds);
        } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
            health.record(key, position, false, "unreachable");
            LOG.debug("trunk {}: ping of {} not sent: {}", key.trunk(), key, e.getMessage());
        }
    }

    private Request options(TrunkHealth.Key key, Transport transport, SipProvider provider)
            throws ParseException, InvalidArgumentException {
        SipURI target = sip.addresses.createSipURI(null, key.host());
        target.setPort(key.port());
        if (transport != Transport.UDP) {
            target.setTransportParam(transport.name().toLowerCase(java.util.Locale.ROOT));
        }
        var point = provider.getListeningPoints()[0];
        var from = sip.headers.createFromHeader(sip.addresses.createAddress(
                sip.addresses.createSipURI("sipshield", sip.localHost(provider))), SipMessaging.newTag());
        var to = sip.headers.createToHeader(sip.addresses.createAddress(target), null);
        return sip.messages.createRequest(target, Request.OPTIONS,
                sip.headers.createCallIdHeader(SipIdentifiers.callId()), sip.headers.createCSeqHeader(1L, Request.OPTIONS),
                from, to, List.of(sip.headers.createViaHeader(sip.localHost(provider), point.getPort(),
                        point.getTransport(), null)), sip.headers.createMaxForwardsHeader(70));
    }

    /**
     * The ping gives up within about one interval (RFC 3261 timer F is 64 T1: T1 is scaled down for
     * short intervals, never above its 500 ms default), so pings of one destination do not pile up.
     */
    private void send(Request request, Ping ping, int intervalSeconds) throws SipException {
        ClientTransaction transaction = ping.provider().getNewClientTransaction(request);
        int t1 = (int) Math.max(50, Math.min(500, intervalSeconds * 1000L / 64));
        transaction.setRetransmitTimer(t1);
        outstanding.put(transaction, ping);
        try {
            transaction.sendRequest();
        } catch (SipException | RuntimeException e) {
            outstanding.remove(transaction);
            throw e;
        }
    }

    /** A response to a ping of ours: true when it was one (then it is handled here). */
    boolean response(ClientTransaction transaction, Response response) {
        Ping ping = outstanding.get(transaction);
        if (ping == null) {
            return false;
        }
        int status = response.getStatusCode();
        if (status < 200) {
            return true;
        }
        outstanding.remove(transaction);
        if (TrunkChallengeResponder.isChallenge(response) && answerChallenge(ping, transaction, response)) {
            return true;
        }
        boolean up = status != Response.REQUEST_TIMEOUT && status != Response.SERVICE_UNAVAILABLE;
        health.record(ping.key(), ping.position(), up, Integer.toString(status));
        return true;
    }

    /** Sends the ping again with our answer; false when it cannot or must not be answered (then it still answered). */
    private boolean answerChallenge(Ping ping, ClientTransaction transaction, Response challenge) {
        try {
            var retry = challenges.retry(transaction.getRequest(), challenge, ping.peer(), ping.answer(), ping.provider());
            if (retry.isEmpty()) {
                return false;
            }
            int interval = ping.peer().trunk().optionsPingIntervalSeconds();
            send(retry.get().request(), new Ping(ping.key(), ping.position(), ping.peer(), ping.provider(),
                    retry.get().answer()), Math.max(1, interval));
            return true;
        } catch (SipException | ParseException | InvalidArgumentException | RuntimeException e) {
            health.record(ping.key(), ping.position(), false, "unreachable");
            return true;
        }
    }

    /** A ping that got no answer at all: true when it was one. */
    boolean timeout(ClientTransaction transaction) {
        Ping ping = outstanding.remove(transaction);
        if (ping == null) {
            return false;
        }
        health.record(ping.key(), ping.position(), false, "timeout");
        return true;
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.shutdownNow();
            thread = null;
        }
        outstanding.clear();
    }
}
