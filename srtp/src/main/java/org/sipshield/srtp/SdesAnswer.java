package org.sipshield.srtp;

import java.util.List;
import java.util.Optional;

/**
 * What the answerer decided about an offer's a=crypto lines: either a selection and the single
 * a=crypto line to answer with, or no common suite (then the caller decides: fall back to RTP
 * where policy allows, or reject the call). Declined lines are listed with their reasons either way.
 */
public final class SdesAnswer {
    private final SdesSelection selection;
    private final SdesCryptoAttribute answerAttribute;
    private final List<SdesDeclinedLine> declined;

    SdesAnswer(SdesSelection selection, SdesCryptoAttribute answerAttribute, List<SdesDeclinedLine> declined) {
        this.selection = selection;
        this.answerAttribute = answerAttribute;
        this.declined = List.copyOf(declined);
    }

    public boolean isSecured() {
        return selection != null;
    }

    public Optional<SdesSelection> selection() {
        return Optional.ofNullable(selection);
    }

    /** The a=crypto line for our answer SDP (carries our key). */
    public Optional<String> answerLine() {
        return Optional.ofNullable(answerAttribute).map(SdesCryptoAttribute::toSdpLine);
    }

    public List<SdesDeclinedLine> declined() {
        return declined;
    }

    @Override
    public String toString() {
        return "SdesAnswer[" + (selection != null ? selection : "no common crypto suite") + ", declined " + declined + "]";
    }
}
