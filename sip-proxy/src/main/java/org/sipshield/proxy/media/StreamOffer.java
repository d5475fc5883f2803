package org.sipshield.proxy.media;

import java.net.InetSocketAddress;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SdesSelection;

/** One stream of an offer waiting for the other leg's answer: what the offerer asked for and the keys made for it. */
final class StreamOffer {
    final MediaStream kind;
    /** The call's first audio stream: its refusal refuses the call (488), its silence ends it. */
    final boolean audio;
    String offeredProto;
    InetSocketAddress rtp;
    InetSocketAddress rtcp;
    boolean mux;
    boolean holds; // the offer puts the stream on hold
    SdesAnswer answerToOfferer; // null: plain towards the offerer
    SdesOffer offerToAnswerer;  // null: plain offered to the answerer

    StreamOffer(MediaStream kind, boolean audio) {
        this.kind = kind;
        this.audio = audio;
    }

    void discard() {
        if (answerToOfferer != null) {
            answerToOfferer.selection().ifPresent(SdesSelection::discard);
        }
        if (offerToAnswerer != null) {
            offerToAnswerer.close();
        }
    }
}
