package org.sipshield.proxy.management;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.sipshield.proxy.b2bua.CallView;

/**
 * What the JSON admin API reads from, and does to, the running proxy. Nothing here carries a
 * secret: no SDP, no keys, no passwords, no token.
 */
public interface AdminApi {
    /** node, listener: who holds the binding (its flow's node and listener address:port); null for older rows. */
    record Registration(String device, String line, String contact, String source, String transport,
            Instant registered, Instant expires, String userAgent, String node, String listener) {}

    /** blockedBy: "operator" (the block list) or "brute-force" (the digest guard; user set for a per-user block). */
    record BlockedSource(String source, String user, Instant until, String blockedBy) {}

    /**
     * One trunk destination as the OPTIONS pings see it. state: up, down (skipped by calls), or
     * unknown (pings off, or no answer yet); lastPing: the last ping's status code, timeout or
     * unreachable (null when unknown); since: when it last changed state.
     */
    record TrunkDestination(String destination, String state, String lastPing, Instant since) {}

    record Trunk(String name, String securityProfile, List<String> destinations, boolean srtpAllowed,
            int optionsPingIntervalSeconds, List<TrunkDestination> destinationStates) {}

    /** name: the identity ("sip", "https", ...) or trust-store entry ("sip-trust/ID"). */
    record Certificate(String name, String subject, String issuer, Instant notAfter, long daysToExpiry) {}

    /** problems: empty when the new configuration applies. */
    record ReloadResult(boolean applied, List<String> problems) {}

    List<CallView> calls();

    /** BYE on both legs; false when no such call is up. */
    boolean terminateCall(long id);

    List<Registration> registrations();

    /** Removes every binding of the device; how many went. */
    int unregister(String device);

    List<BlockedSource> blocked();

    /** Until when the source is blocked now; null when the operator list is full. */
    Instant block(InetAddress source, Duration duration);

    /** Lifts the operator's and the brute-force guard's blocks of the source; false when there was none. */
    boolean unblock(InetAddress source);

    List<Trunk> trunks();

    List<Certificate> certificates();

    /** What SIGHUP does: re-read the configuration file and apply it, or refuse it whole. */
    ReloadResult reload();
}
