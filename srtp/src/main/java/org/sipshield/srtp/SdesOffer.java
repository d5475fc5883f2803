package org.sipshield.srtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Our SDES offer for one media stream: one a=crypto line per suite the policy allows, best first,
 * each with its own fresh key. {@link #accept} completes it with the peer's answer line; the keys
 * of the lines not chosen are destroyed then (or by {@link #close()} if the offer is abandoned).
 */
public final class SdesOffer implements AutoCloseable {
    private final List<SdesCryptoAttribute> attributes;
    private final SrtpSessionOptions options;
    private boolean settled;

    SdesOffer(List<SdesCryptoAttribute> attributes, SrtpSessionOptions options) {
        this.attributes = List.copyOf(attributes);
        this.options = options;
    }

    /** The a=crypto lines for our offer SDP (they carry our keys). */
    public List<String> sdpLines() {
        List<String> lines = new ArrayList<>();
        attributes.forEach(a -> lines.add(a.toSdpLine()));
        return lines;
    }

    public List<SdesCryptoAttribute> attributes() {
        return attributes;
    }

    /**
     * Completes the negotiation with the answer's a=crypto line: its tag must be one we offered,
     * with the same suite.
     *
     * @return the selection, or the reason the answer is unacceptable
     */
    public synchronized Result accept(String answerLine) {
        if (settled) {
            throw new IllegalStateException("this offer was already answered or closed");
        }
        SdesParseResult parsed = SdesCryptoAttribute.parse(answerLine);
        if (!parsed.isAccepted()) {
            return new Result(null, new SdesDeclinedLine(parsed.tag(), parsed.rejection().orElseThrow(), parsed.detail()));
        }
        SdesCryptoAttribute answer = parsed.attribute();
        for (SdesCryptoAttribute mine : attributes) {
            if (mine.tag() == answer.tag()) {
                if (mine.suite() != answer.suite()) {
                    answer.keyParams().forEach(k -> k.key().destroy());
                    return new Result(null, new SdesDeclinedLine(parsed.tag(), SdesRejection.MALFORMED,
                            "answer tag " + answer.tag() + " names " + answer.suite() + " but we offered " + mine.suite()));
                }
                if (answer.keyParams().size() > 1) {
                    answer.keyParams().forEach(k -> k.key().destroy());
                    return new Result(null, new SdesDeclinedLine(parsed.tag(), SdesRejection.MULTIPLE_MASTER_KEYS,
                            "several master keys in one line are not supported"));
                }
                settled = true;
                for (SdesCryptoAttribute other : attributes) {
                    if (other != mine) {
                        other.keyParam().key().destroy();
                    }
                }
                return new Result(new SdesSelection(mine.tag(), mine.keyParam(), answer.keyParam(), options), null);
            }
        }
        answer.keyParams().forEach(k -> k.key().destroy());
        return new Result(null, new SdesDeclinedLine(parsed.tag(), SdesRejection.MALFORMED,
                "answer tag " + answer.tag() + " was not offered"));
    }

    /** Destroys every key of this offer that no session took. */
    @Override
    public synchronized void close() {
        if (!settled) {
            settled = true;
            attributes.forEach(a -> a.keyParam().key().destroy());
        }
    }

    /** The selection, or why the answer was refused. */
    public static final class Result {
        private final SdesSelection selection;
        private final SdesDeclinedLine refusal;

        Result(SdesSelection selection, SdesDeclinedLine refusal) {
            this.selection = selection;
            this.refusal = refusal;
        }

        public boolean isSecured() {
            return selection != null;
        }

        public java.util.Optional<SdesSelection> selection() {
            return java.util.Optional.ofNullable(selection);
        }

        public java.util.Optional<SdesDeclinedLine> refusal() {
            return java.util.Optional.ofNullable(refusal);
        }

        @Override
        public String toString() {
            return selection != null ? selection.toString() : String.valueOf(refusal);
        }
    }
}
