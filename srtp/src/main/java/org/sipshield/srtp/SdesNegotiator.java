package org.sipshield.srtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SDES (RFC 4568) offer/answer for one leg under an {@link SrtpCipherPolicy}. Every offer and
 * every answer carries fresh keys from the {@link SrtpKeyManager}. The answerer picks the best
 * suite by <em>policy</em> order among the lines it can accept, whatever the offer's order.
 * Thread-safe (stateless besides its settings).
 */
public final class SdesNegotiator {
    private final SrtpCipherPolicy policy;
    private final SrtpKeyManager keys;
    private final SrtpSessionOptions options;

    public SdesNegotiator(SrtpCipherPolicy policy, SrtpKeyManager keys) {
        this(policy, keys, SrtpSessionOptions.DEFAULTS);
    }

    /** @param options replay window for the sessions the selections open (any MKI is negotiated, not set here) */
    public SdesNegotiator(SrtpCipherPolicy policy, SrtpKeyManager keys, SrtpSessionOptions options) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.options = Objects.requireNonNull(options, "options");
    }

    public SrtpCipherPolicy policy() {
        return policy;
    }

    /** An offer with one a=crypto line per allowed suite, tags 1..n, best first. */
    public SdesOffer createOffer() {
        List<SdesCryptoAttribute> lines = new ArrayList<>();
        int tag = 1;
        for (CryptoSuite suite : policy.suites()) {
            lines.add(SdesCryptoAttribute.of(tag++, SdesKeyParam.of(keys.newMasterKey(suite))));
        }
        return new SdesOffer(lines, options);
    }

    /** Answers the a=crypto lines of one offered media stream. */
    public SdesAnswer answer(List<String> offeredLines) {
        List<SdesDeclinedLine> declined = new ArrayList<>();
        SdesCryptoAttribute best = null;
        List<SdesCryptoAttribute> usable = new ArrayList<>();
        for (String line : offeredLines) {
            SdesParseResult r = SdesCryptoAttribute.parse(line);
            if (!r.isAccepted()) {
                declined.add(new SdesDeclinedLine(r.tag(), r.rejection().orElseThrow(), r.detail()));
                continue;
            }
            SdesCryptoAttribute a = r.attribute();
            if (!policy.allows(a.suite())) {
                declined.add(new SdesDeclinedLine(r.tag(), SdesRejection.NOT_ALLOWED_BY_POLICY,
                        a.suite() + " is not allowed by SRTP Ciphers " + policy.name()));
                a.keyParams().forEach(k -> k.key().destroy());
                continue;
            }
            if (a.keyParams().size() > 1) {
                declined.add(new SdesDeclinedLine(r.tag(), SdesRejection.MULTIPLE_MASTER_KEYS,
                        "several master keys in one line are not supported"));
                a.keyParams().forEach(k -> k.key().destroy());
                continue;
            }
            usable.add(a);
            if (best == null || policy.rank(a.suite()) < policy.rank(best.suite())) {
                best = a;
            }
        }
        for (SdesCryptoAttribute a : usable) {
            if (a != best) {
                a.keyParam().key().destroy();
            }
        }
        if (best == null) {
            return new SdesAnswer(null, null, declined);
        }
        SdesKeyParam ours = SdesKeyParam.of(keys.newMasterKey(best.suite()));
        SdesCryptoAttribute answerLine = SdesCryptoAttribute.of(best.tag(), ours);
        return new SdesAnswer(new SdesSelection(best.tag(), ours, best.keyParam(), options), answerLine, declined);
    }
}
