package org.sipshield.digest;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The server side for one realm: issues challenges and verifies credentials (RFC 7616 adapted to
 * SIP by RFC 3261 section 22 and RFC 8760). Thread-safe; create one per realm/security profile.
 *
 * <p>Verification order, each step before the more expensive or more revealing next one:
 * parse, realm, algorithm and qop policy, nonce signature and binding, response (constant time,
 * against a dummy checksum for unknown users; auth-int over the request's body), uri against the
 * Request-URI, nonce age, nonce count. So only a client that knows
 * the password learns that its nonce is stale, and a wrong nc cannot be burnt by an attacker.
 */
public final class DigestAuthenticator {

    private static final List<String> QOP_OFFERED = List.of("auth");

    private final DigestPolicy policy;
    private final DigestUserDirectory users;
    private final Clock clock;
    private final StatelessNonces nonces;
    private final SharedCounters counters;
    private final String opaque;
    private final Map<DigestAlgorithm, DigestChecksum> dummyChecksums = new EnumMap<>(DigestAlgorithm.class);

    /** An authenticator with a nonce-count tracker of its own, bounded by the policy's maxTrackedNonces. */
    public DigestAuthenticator(DigestPolicy policy, NonceSecret secret, DigestUserDirectory users, Clock clock,
                               SecureRandom random) {
        this(policy, secret, users, clock, random, new NonceCountTracker(policy.maxTrackedNonces()));
    }

    /** An authenticator sharing a nonce-count tracker kept in this process. */
    public DigestAuthenticator(DigestPolicy policy, NonceSecret secret, DigestUserDirectory users, Clock clock,
                               SecureRandom random, NonceCountTracker tracker) {
        this(policy, secret, users, clock, random, new LocalCounters(clock, 16, tracker));
    }

    /**
     * An authenticator whose nonce-count replay state lives in shared counters: a server that
     * rebuilds its authenticators when its configuration is reloaded passes the same ones, so
     * replay state survives it; the nodes of a cluster pass a store they share.
     */
    public DigestAuthenticator(DigestPolicy policy, NonceSecret secret, DigestUserDirectory users, Clock clock,
                               SecureRandom random, SharedCounters counters) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.users = Objects.requireNonNull(users, "users");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nonces = new StatelessNonces(Objects.requireNonNull(secret, "secret"), Objects.requireNonNull(random, "random"),
                policy.realm(), policy.bindings());
        this.counters = Objects.requireNonNull(counters, "counters");
        this.opaque = nonces.opaque();
        char[] dummyPassword = new char[24];
        for (int i = 0; i < dummyPassword.length; i++) {
            dummyPassword[i] = (char) ('!' + random.nextInt(94));
        }
        for (DigestAlgorithm base : List.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256, DigestAlgorithm.SHA_512_256)) {
            dummyChecksums.put(base, DigestChecksum.compute(base, "unknown", policy.realm(), dummyPassword));
        }
    }

    public DigestPolicy policy() {
        return policy;
    }

    /** Fresh challenges for a request that carried no credentials, one per allowed algorithm. */
    public List<DigestChallenge> challenge(DigestRequest request) {
        return challenges(request, false);
    }

    /** Verifies the single credentials header value of a request. */
    public DigestVerification verify(DigestRequest request, String credentialsHeaderValue) {
        return verify(request, credentialsHeaderValue == null ? List.of() : List.of(credentialsHeaderValue));
    }

    /**
     * Verifies a request given all its Authorization (or Proxy-Authorization) header values; the
     * one for our realm is used. No values at all is {@link DigestOutcome#NO_CREDENTIALS}.
     */
    public DigestVerification verify(DigestRequest request, List<String> credentialsHeaderValues) {
        Objects.requireNonNull(request, "request");
        if (credentialsHeaderValues.isEmpty()) {
            return result(request, DigestOutcome.NO_CREDENTIALS, null, "", null);
        }
        DigestAuthorization auth = null;
        DigestParseException firstError = null;
        String otherRealmUser = null;
        for (String value : credentialsHeaderValues) {
            try {
                DigestAuthorization candidate = DigestAuthorization.parse(value);
                if (candidate.realm().equals(policy.realm())) {
                    auth = candidate;
                    break;
                }
                if (otherRealmUser == null) {
                    otherRealmUser = candidate.username();
                }
            } catch (DigestParseException e) {
                if (firstError == null) {
                    firstError = e;
                }
            }
        }
        if (auth == null) {
            return firstError != null
                    ? result(request, DigestOutcome.MALFORMED, null, "", firstError.reason())
                    : result(request, DigestOutcome.REALM_MISMATCH, null, otherRealmUser, null);
        }
        return verifyForRealm(request, auth);
    }

    private DigestVerification verifyForRealm(DigestRequest request, DigestAuthorization auth) {
        String claimed = auth.username();
        Optional<DigestAlgorithm> algorithm = auth.algorithm();
        if (algorithm.isEmpty() || !policy.algorithms().contains(algorithm.get())) {
            return result(request, DigestOutcome.ALGORITHM_NOT_ALLOWED, null, claimed, null);
        }
        DigestAlgorithm alg = algorithm.get();
        Optional<String> qop = auth.qop();
        if (qop.isEmpty() && !policy.acceptRfc2069Clients()) {
            return result(request, DigestOutcome.NO_QOP_NOT_ALLOWED, null, claimed, null);
        }
        if (qop.isPresent() && !qop.get().equals("auth") && !qop.get().equals("auth-int")) {
            return result(request, DigestOutcome.MALFORMED, null, claimed, DigestParseException.Reason.INVALID_PARAMETER_VALUE);
        }
        long nc = 1;
        if (qop.isPresent()) {
            nc = Long.parseLong(auth.nc().orElseThrow(), 16);
            if (nc == 0) {
                return result(request, DigestOutcome.MALFORMED, null, claimed, DigestParseException.Reason.INVALID_PARAMETER_VALUE);
            }
        }
        if (auth.response().length() != alg.hexLength()) {
            return result(request, DigestOutcome.MALFORMED, null, claimed, DigestParseException.Reason.INVALID_PARAMETER_VALUE);
        }
        long issuedAt = nonces.validate(auth.nonce(), request);
        if (issuedAt < 0 || auth.opaque().map(o -> !o.equals(opaque)).orElse(false)) {
            return result(request, DigestOutcome.NONCE_INVALID, null, claimed, null);
        }
        long now = clock.millis();
        if (issuedAt - now > StatelessNonces.MAX_CLOCK_SKEW_MILLIS) {
            return result(request, DigestOutcome.NONCE_INVALID, null, claimed, null);
        }

        Optional<DigestUser> user = auth.userhash()
                ? users.findByUserhash(policy.realm(), alg, auth.username())
                : users.findByUsername(policy.realm(), auth.username());
        if (user.isPresent()) {
            claimed = user.get().username();
        }
        // An unknown user, or a known one without a checksum for this family, runs the same
        // computation against a random checksum: same work, same outcome, no enumeration.
        DigestChecksum checksum = user.flatMap(u -> u.checksum(alg)).orElse(dummyChecksums.get(alg.baseAlgorithm()));
        boolean userHasChecksum = user.flatMap(u -> u.checksum(alg)).isPresent();
        boolean matches = responseMatches(auth, alg, request.method(), request.body(), checksum) & userHasChecksum;
        if (!matches) {
            return result(request, DigestOutcome.BAD_CREDENTIALS, null, claimed, null);
        }
        // Checked once the response is known right, so the reason says what happened: valid
        // credentials aimed at another target. The nc is not recorded: the rightful request may follow.
        if (!request.designatesRequestUri(auth.uri())) {
            return result(request, DigestOutcome.URI_MISMATCH, null, claimed, null);
        }
        if (now - issuedAt > policy.nonceValiditySeconds() * 1000L) {
            return result(request, DigestOutcome.STALE, null, claimed, null);
        }
        long expiresAt = issuedAt + policy.nonceValiditySeconds() * 1000L;
        return switch (counters.useNonceCount(auth.nonce(), nc, issuedAt, expiresAt, now)) {
            case FIRST -> result(request, DigestOutcome.OK, claimed, claimed, null);
            case REPLAY -> result(request, DigestOutcome.REPLAY, null, claimed, null);
            case FORGOTTEN -> result(request, DigestOutcome.STALE, null, claimed, null);
        };
    }

    /** The response check itself, in constant time: also what the RFC example tests exercise. */
    static boolean responseMatches(DigestAuthorization auth, DigestAlgorithm alg, String method, byte[] body,
                                   DigestChecksum checksum) {
        String expected = DigestResponses.response(alg, checksum.ha1Hex(), auth.nonce(), auth.nc().orElse(null),
                auth.cnonce().orElse(null), auth.qop().orElse(null), method, auth.uri(), body);
        return DigestResponses.constantTimeEquals(expected, auth.response());
    }

    private DigestVerification result(DigestRequest request, DigestOutcome outcome, String authenticated,
                                      String claimed, DigestParseException.Reason parseError) {
        String claimedUser = claimed == null ? "" : claimed;
        List<DigestChallenge> challenges = switch (outcome) {
            case OK -> List.of();
            // A valid client replaying by accident (a retransmission with a reused nc) recovers
            // with stale=true without doubting its password; an attacker gains nothing from it.
            case STALE, REPLAY -> challenges(request, true);
            default -> challenges(request, false);
        };
        SecurityEvent event = outcome.securityEventType()
                .map(type -> new SecurityEvent(type, request.source(), claimedUser, policy.realm(), outcome.reasonToken()))
                .orElse(null);
        return new DigestVerification(outcome, authenticated, claimedUser, challenges, event, parseError);
    }

    private List<DigestChallenge> challenges(DigestRequest request, boolean stale) {
        String nonce = nonces.issue(clock.millis(), request);
        List<DigestChallenge> list = new ArrayList<>(policy.algorithms().size());
        for (DigestAlgorithm alg : policy.algorithms()) {
            list.add(new DigestChallenge(policy.realm(), nonce, opaque, alg.token(), QOP_OFFERED, stale,
                    policy.offerUserhash()));
        }
        return List.copyOf(list);
    }

    /** How many nonces the replay state holds now when it is kept in this process (never above its bound), else -1. */
    public int trackedNonces() {
        return counters instanceof LocalCounters local ? local.trackedNonces() : -1;
    }

    @Override
    public String toString() {
        return "DigestAuthenticator[" + policy + "]";
    }
}
