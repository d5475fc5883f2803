package org.sipshield.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.pipeline.StepFixture.arriving;
import static org.sipshield.proxy.pipeline.StepFixture.text;

import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;
import org.sipshield.proxy.b2bua.DialogMatch;
import org.sipshield.proxy.security.Peer;

/** A request inside a dialog speaks as its leg's peer, a stranger gets 403 statelessly, no call: 481 for known sources only. */
class DialogPeerCheckTest {
    static InboundRequest bye() throws Exception {
        return arriving(text("BYE", "sip:8100@127.0.0.1", "5550100", "t1", ""), Transport.UDP, "192.0.2.9");
    }

    @Test
    void theLegsPeerSpeaksAsThatPeer() throws Exception {
        Peer legPeer = new Peer.Unknown();
        InboundRequest bye = bye();
        Verdict verdict = new DialogPeerCheck(request -> new DialogMatch.Leg(legPeer), request -> Verdict.proceed()).apply(bye);
        assertTrue(verdict.proceeds());
        assertSame(legPeer, bye.peer());
    }

    @Test
    void aStrangerGets403WithoutATransactionAndItsAckIsDropped() throws Exception {
        DialogPeerCheck check = new DialogPeerCheck(request -> new DialogMatch.Stranger(new Peer.Unknown(), "address"),
                request -> Verdict.proceed());
        Verdict refused = check.apply(bye());
        assertEquals(Verdict.Kind.RESPOND_AND_FORGET, refused.kind());
        assertEquals(403, refused.status());
        assertEquals(Verdict.Kind.DROP, check.apply(arriving(text("ACK", "sip:8100@127.0.0.1", "5550100", "t1", ""),
                Transport.UDP, "192.0.2.9")).kind());
    }

    @Test
    void noCallGets481OnlyWhenTheSourceIsKnown() throws Exception {
        Verdict known = new DialogPeerCheck(request -> new DialogMatch.NoCall(), request -> Verdict.proceed()).apply(bye());
        assertEquals(481, known.status());
        Verdict stranger = new DialogPeerCheck(request -> new DialogMatch.NoCall(), request -> Verdict.drop("unknown"))
                .apply(bye());
        assertEquals(Verdict.Kind.DROP, stranger.kind());
    }
}
