package org.sipshield.digest;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The client side: answers a trunk peer's 401/407 with the credentials of the SIP Realm it names
 * (RFC 3261 section 22.2/22.3, RFC 7616 section 3.4, RFC 8760). Picks the strongest algorithm
 * offered that we implement, uses qop=auth with a random cnonce, and counts nc per nonce.
 * Thread-safe.
 *
 * <p>Loop guard: pass the previous {@link DigestAnswer} when the request you resent with it is
 * challenged again. A non-stale challenge then means the peer refused our credentials, and the
 * answer is {@link DigestAnswer.Status#ALREADY_ANSWERED}; a stale one is answered once more.
 */
public final class DigestClient {

    /** Nonces whose nc we remember; the eldest is forgotten first (it then restarts at 1 in a new answer). */
    static final int MAX_REMEMBERED_NONCES = 1024;

    private final DigestCredentialsLookup credentials;
    private final Supplier<String> cnonces;
    private final LinkedHashMap<String, Long> nonceCounts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_REMEMBERED_NONCES;
        }
    };

    public DigestClient(DigestCredentialsLookup credentials, SecureRandom random) {
        this(credentials, randomCnonces(Objects.requireNonNull(random, "random")));
    }

    /** Lets the RFC example tests fix the cnonce the examples print. */
    DigestClient(DigestCredentialsLookup credentials, Supplier<String> cnonces) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.cnonces = cnonces;
    }

    private static Supplier<String> randomCnonces(SecureRandom random) {
        return () -> {
            byte[] b = new byte[16];
            random.nextBytes(b);
            return HexFormat.of().formatHex(b);
        };
    }

    /** Answers a first challenge of a request. */
    public DigestAnswer answer(DigestHeaderKind kind, List<String> challengeHeaderValues, String method, String uri) {
        return answer(kind, challengeHeaderValues, method, uri, null, null);
    }

    /**
     * Answers the challenges of a 401 ({@link DigestHeaderKind#WWW_AUTHENTICATE}) or 407
     * ({@link DigestHeaderKind#PROXY_AUTHENTICATE}).
     *
     * @param uri      the Request-URI of the request to resend (the digest-uri)
     * @param body     the message body (only used if the peer offers only qop=auth-int); may be null
     * @param previous the answer the challenged request carried, or null for a first challenge
     */
    public DigestAnswer answer(DigestHeaderKind kind, List<String> challengeHeaderValues, String method, String uri,
                               byte[] body, DigestAnswer previous) {
        Objects.requireNonNull(kind, "kind");
        if (method == null || !DigestParams.isToken(method)) {
            throw new IllegalArgumentException("method must be a SIP method token");
        }
        DigestParams.requireHeaderSafe("uri", uri);
        List<DigestChallenge> usable = new ArrayList<>();
        boolean anyParsed = false;
        for (String value : challengeHeaderValues) {
            try {
                DigestChallenge c = DigestChallenge.parse(value);
                anyParsed = true;
                if (c.algorithm().isPresent() && chooseQop(c).isPresent()) {
                    usable.add(c);
                }
            } catch (DigestParseException e) {
                // Another challenge in the same response may still be one we can answer.
            }
        }
        if (usable.isEmpty()) {
            return new DigestAnswer(anyParsed ? DigestAnswer.Status.NO_SUPPORTED_CHALLENGE : DigestAnswer.Status.MALFORMED,
                    kind, null, null, false);
        }
        usable.sort(Comparator.comparingInt((DigestChallenge c) -> c.algorithm().orElseThrow().strength()).reversed()
                .thenComparing(c -> c.qopOptions().isEmpty()));
        for (DigestChallenge c : usable) {
            Optional<SipRealmCredentials> creds = credentials.forRealm(c.realm());
            if (creds.isEmpty() || creds.get().checksum(c.algorithm().orElseThrow(), c.realm()).isEmpty()) {
                continue;
            }
            boolean staleRetry = false;
            if (previous != null && previous.answered()
                    && previous.challenge().map(p -> p.realm().equals(c.realm())).orElse(false)) {
                boolean sameNonce = previous.challenge().get().nonce().equals(c.nonce());
                if (!c.stale() || sameNonce || previous.staleRetry()) {
                    return new DigestAnswer(DigestAnswer.Status.ALREADY_ANSWERED, kind, c, null, false);
                }
                staleRetry = true;
            }
            return new DigestAnswer(DigestAnswer.Status.ANSWERED, kind, c,
                    authorize(c, creds.get(), method, uri, body), staleRetry);
        }
        return new DigestAnswer(DigestAnswer.Status.NO_CREDENTIALS, kind, usable.get(0), null, false);
    }

    /**
     * Credentials for a new request to the same peer, reusing the nonce of an earlier answer with
     * the next nc (preemptive authentication). The peer may still challenge it, e.g. once the
     * nonce expired.
     */
    public Optional<String> authorizeAgain(DigestAnswer earlier, String method, String uri, byte[] body) {
        if (!earlier.answered()) {
            return Optional.empty();
        }
        DigestChallenge c = earlier.challenge().orElseThrow();
        return credentials.forRealm(c.realm()).map(creds -> authorize(c, creds, method, uri, body).toHeaderValue());
    }

    DigestAuthorization authorize(DigestChallenge c, SipRealmCredentials creds, String method, String uri, byte[] body) {
        DigestAlgorithm alg = c.algorithm().orElseThrow();
        String qop = chooseQop(c).orElseThrow();
        DigestChecksum ha1 = creds.checksum(alg, c.realm()).orElseThrow();
        String nc = null;
        String cnonce = null;
        if (!qop.isEmpty()) {
            nc = String.format("%08x", nextNonceCount(c.realm(), c.nonce()));
            cnonce = cnonces.get();
        }
        String qopOrNull = qop.isEmpty() ? null : qop;
        String response = DigestResponses.response(alg, ha1.ha1Hex(), c.nonce(), nc, cnonce, qopOrNull, method, uri, body);
        String username = c.userhash() ? DigestResponses.userhash(alg, creds.user(), c.realm()) : creds.user();
        return new DigestAuthorization(username, c.userhash(), c.realm(), c.nonce(), uri, response,
                c.algorithmExplicit() ? alg.token() : null, cnonce, c.opaque().orElse(null), qopOrNull, nc);
    }

    /** "auth" when offered, else "auth-int", else "" for an RFC 2069 challenge; empty if none fits. */
    private static Optional<String> chooseQop(DigestChallenge c) {
        if (c.qopOptions().isEmpty()) {
            return Optional.of("");
        }
        if (c.qopOptions().contains("auth")) {
            return Optional.of("auth");
        }
        return c.qopOptions().contains("auth-int") ? Optional.of("auth-int") : Optional.empty();
    }

    private synchronized long nextNonceCount(String realm, String nonce) {
        return nonceCounts.merge(realm + "\u0000" + nonce, 1L, (old, one) -> old + 1);
    }

    @Override
    public String toString() {
        return "DigestClient";
    }
}
