package org.sipshield.proxy.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sipshield.proxy.security.Peer;

/** A call's states move one way: TRYING -> EARLY -> CONFIRMED, and ENDED from any of them, once. */
class CallStateTest {
    static Call call() {
        return TestCalls.call(new Peer.Unknown(), new Peer.Unknown(), false);
    }

    @Test
    void aCallRingsIsAnsweredAndEndsOnceWhileLateOrRepeatedAnswersChangeNothing() {
        Call call = call();
        assertEquals(Call.State.TRYING, call.state());
        assertTrue(call.isUnanswered());
        assertTrue(call.ringing());
        assertTrue(call.ringing(), "a second provisional answer keeps it early");
        assertEquals(Call.State.EARLY, call.state());
        assertTrue(call.answered());
        assertTrue(call.isConfirmed());
        assertFalse(call.ringing(), "a late 180 does not take an answered call back");
        assertFalse(call.answered(), "a retransmitted 2xx does not answer it twice");
        assertTrue(call.ended());
        assertFalse(call.ended(), "a call ends once");
        assertTrue(call.isEnded());
    }

    @Test
    void anEndedCallIsNeverAnsweredOrRingingAgain() {
        Call call = call();
        assertTrue(call.ended());
        assertFalse(call.answered());
        assertFalse(call.ringing());
        assertFalse(call.isUnanswered());
        assertEquals(Call.State.ENDED, call.state());
    }

    @Test
    void aCallAnsweredWithoutRingingIsConfirmed() {
        Call call = call();
        assertTrue(call.answered());
        assertEquals(Call.State.CONFIRMED, call.state());
    }
}
