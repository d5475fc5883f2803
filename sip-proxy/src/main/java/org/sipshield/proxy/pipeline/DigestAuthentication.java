package org.sipshield.proxy.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sip.header.Header;
import javax.sip.message.Request;
import org.sipshield.config.SecuritySettings;
import org.sipshield.digest.BlockAction;
import org.sipshield.digest.BruteForceGuard;
import org.sipshield.digest.BruteForcePolicy;
import org.sipshield.digest.DigestAuthenticator;
import org.sipshield.digest.DigestAuthorization;
import org.sipshield.digest.DigestParseException;
import org.sipshield.digest.DigestChallenge;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.digest.DigestRequest;
import org.sipshield.digest.DigestVerification;
import org.sipshield.digest.SecurityEvent;
import org.sipshield.digest.SharedCounters;
import org.sipshield.proxy.security.Peer;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.transport.HeaderValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Third step: digest authentication where the peer's profile enables it. Phones and voicemail
 * ports are challenged in the SIP Station Realm and must authenticate as their device's digest
 * user; trunk peers are challenged in the Cluster ID realm as an application user. REGISTER gets
 * 401 / WWW-Authenticate, every other request 407 / Proxy-Authenticate. Failures count towards
 * the brute-force guard; a blocked source gets 403 or silence for its cool-down. The credentials
 * must be for this request: its method, its Request-URI (the uri parameter, compared as SIP URIs
 * are) and, under qop=auth-int, its body exactly as received.
 *
 * <p>When the cluster's shared counters cannot be reached and {@code redis.unavailable} is
 * FAIL_CLOSED, a request carrying credentials gets 503 with Retry-After: an answer that cannot be
 * checked for replay, or counted, is not accepted. A request without credentials is still
 * challenged (a challenge needs no shared state).
 */
public final class DigestAuthentication implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");
    /** Redis is probed every second: a phone told to come back after this finds it back if it is. */
    static final int COUNTERS_RETRY_AFTER_SECONDS = 30;

    private final Supplier<SecurityModel> model;
    private final BruteForceGuard guard;
    private final java.util.function.Consumer<String> outcomes;

    /**
     * The brute-force guard of the security section: per user, and four times that per source,
     * counted in counters (this node's, or a cluster's shared ones).
     */
    public static BruteForceGuard bruteForceGuard(SecuritySettings security, Clock clock, SharedCounters counters) {
        return new BruteForceGuard(bruteForcePolicy(security), clock, counters);
    }

    /** The security section's digest failure limits as the guard's policy (a reload puts a new one in force). */
    public static BruteForcePolicy bruteForcePolicy(SecuritySettings security) {
        return BruteForcePolicy.builder()
                .maxFailuresPerUser(security.digestFailureLimit())
                .maxFailuresPerSource(security.digestFailureLimit() * 4)
                .window(Duration.ofSeconds(security.digestFailureWindow()))
                .coolDown(Duration.ofSeconds(security.digestBlockSeconds()))
                .action(security.blockedSource() == SecuritySettings.Rejection.DROP ? BlockAction.DROP : BlockAction.REJECT_403)
                .build();
    }

    /** guard: lives as long as the server, so its counters survive a configuration reload. */
    public DigestAuthentication(Supplier<SecurityModel> model, BruteForceGuard guard) {
        this(model, guard, outcome -> { });
    }

    /** outcomes: told each verdict by a fixed name (metrics), never who or from where. */
    public DigestAuthentication(Supplier<SecurityModel> model, BruteForceGuard guard,
            java.util.function.Consumer<String> outcomes) {
        this.model = model;
        this.guard = guard;
        this.outcomes = outcomes;
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        String method = inbound.method();
        SecurityModel current = model.get();
        if (Request.ACK.equals(method) || Request.CANCEL.equals(method)) {
            return Verdict.proceed(); // never challenged (RFC 3261 22.1)
        }
        if (!inbound.isOutOfDialog() && !current.config().security().challengeInDialog().contains(method)) {
            return Verdict.proceed(); // the operator leaves this in-dialog method to the dialog's peer check
        }
        Required required = required(current, inbound.peer());
        if (required == null) {
            return Verdict.proceed();
        }
        String realm = required.authenticator().policy().realm();
        DigestHeaderKind kind = Request.REGISTER.equals(method) ? DigestHeaderKind.WWW_AUTHENTICATE
                : DigestHeaderKind.PROXY_AUTHENTICATE;
        List<String> credentials = credentials(inbound.request(), kind);
        try {
            return verify(inbound, required, realm, kind, credentials);
        } catch (SharedCounters.Unavailable e) {
            if (credentials.isEmpty()) {
                return challenge(required.authenticator().challenge(digestRequest(inbound)), kind);
            }
            outcomes.accept("counters-unavailable");
            return Verdict.respond(503, "Service Unavailable",
                    List.of(Map.entry("Retry-After", Integer.toString(COUNTERS_RETRY_AFTER_SECONDS))));
        }
    }

    private Verdict verify(InboundRequest inbound, Required required, String realm, DigestHeaderKind kind,
            List<String> credentials) {
        String method = inbound.method();
        // one look-up: the source, and the user it claims if any
        Optional<String> claimed = claimedUser(credentials);
        Optional<BlockAction> blocked = claimed.isPresent()
                ? guard.blocked(inbound.source().getAddress(), claimed.get())
                : guard.blocked(inbound.source().getAddress());
        if (blocked.isPresent()) {
            outcomes.accept("blocked");
            return blockedVerdict(blocked.get());
        }
        DigestVerification verification = required.authenticator().verify(digestRequest(inbound), credentials);
        if (verification.isAuthenticated()) {
            String user = verification.authenticatedUser().orElseThrow();
            if (required.expectedUser() != null && !required.expectedUser().equals(user)) {
                SECURITY.info("SECURITY digest-auth-rejected src={} port={} user=\"{}\" realm=\"{}\" reason=not-the-device-user",
                        inbound.source().getAddress().getHostAddress(), inbound.source().getPort(), "", realm);
                outcomes.accept("not-the-device-user");
                return Verdict.respond(403, "Forbidden");
            }
            guard.recordSuccess(inbound.source().getAddress(), user);
            outcomes.accept(verification.outcome().reasonToken());
            inbound.authenticatedUser(user);
            return Verdict.proceed();
        }
        verification.securityEvent().ifPresent(event -> SECURITY.warn(event.toLogLine()));
        outcomes.accept(verification.outcome().reasonToken());
        if (verification.outcome().countsAsFailedAttempt()) {
            Optional<SecurityEvent> blocking = guard.recordFailure(inbound.source(), verification.claimedUser(), realm);
            if (blocking.isPresent()) {
                SECURITY.warn(blocking.get().toLogLine());
                return blockedVerdict(guard.policy().action());
            }
        }
        return challenge(verification.challenges(), kind);
    }

    private static DigestRequest digestRequest(InboundRequest inbound) {
        return DigestRequest.of(inbound.method(), inbound.request().getRequestURI().toString(), inbound.source(),
                inbound.callId()).withBody(inbound.request().getRawContent()).withUriEquivalence(SipUriEquivalence::same);
    }

    private static Verdict challenge(List<DigestChallenge> offered, DigestHeaderKind kind) {
        List<Map.Entry<String, String>> challenges = new ArrayList<>();
        for (DigestChallenge challenge : offered) {
            challenges.add(Map.entry(kind.challengeHeader(), challenge.toHeaderValue()));
        }
        return Verdict.respond(kind.statusCode(), kind.statusCode() == 401 ? "Unauthorized"
                : "Proxy Authentication Required", challenges);
    }

    private static Optional<String> claimedUser(List<String> credentials) {
        for (String value : credentials) {
            try {
                return Optional.of(DigestAuthorization.parse(value).username());
            } catch (DigestParseException e) {
                // not a digest answer we can read: the verifier will say MALFORMED
            }
        }
        return Optional.empty();
    }

    private static Verdict blockedVerdict(BlockAction action) {
        return action == BlockAction.DROP ? Verdict.drop("source blocked after failed digest attempts")
                : Verdict.respond(403, "Forbidden");
    }

    /**
     * Which authenticator (the peer's profile's, built with the configuration) and, for a device,
     * which digest user it must prove to be; null when the peer's profile does not ask for digest.
     */
    private record Required(DigestAuthenticator authenticator, String expectedUser) {}

    private static Required required(SecurityModel current, Peer peer) {
        if (peer instanceof Peer.Trunk trunk) {
            return current.digest().forTrunkProfile(trunk.profile()).map(a -> new Required(a, null)).orElse(null);
        }
        if (peer instanceof Peer.Device device) {
            return current.digest().forPhoneProfile(device.profile())
                    .map(a -> new Required(a, device.device().digestUser())).orElse(null);
        }
        return null;
    }

    private static List<String> credentials(Request request, DigestHeaderKind kind) {
        List<String> values = new ArrayList<>();
        ListIterator<?> headers = request.getHeaders(kind.credentialsHeader());
        while (headers != null && headers.hasNext()) {
            values.add(HeaderValues.of((Header) headers.next()));
        }
        return values;
    }
}
