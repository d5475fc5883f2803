package org.sipshield.proxy.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javax.sip.SipFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.sipshield.config.SessionTimerSettings;

/** RFC 4028 arithmetic and negotiation of one leg, without a clock or a call. */
class SessionTimerTest {
    private static final SessionTimerSettings OURS = new SessionTimerSettings(true, 1800, 90);
    private static final MessageFactory MESSAGES;

    static {
        try {
            MESSAGES = SipFactory.getInstance().createMessageFactory();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static Request invite(String headers) throws Exception {
        return MESSAGES.createRequest("INVITE sip:8001@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK1\r\nFrom: <sip:a@127.0.0.2>;tag=1\r\n"
                + "To: <sip:8001@127.0.0.1>\r\nCall-ID: st@127.0.0.2\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                + headers + "Content-Length: 0\r\n\r\n");
    }

    static Response ok(String headers) throws Exception {
        return MESSAGES.createResponse("SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
                + "To: <sip:8001@127.0.0.3>;tag=2\r\nCall-ID: st@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
                + headers + "Content-Length: 0\r\n\r\n");
    }

    @Test
    void theRefresherRefreshesHalfWayAndTheOtherSideGivesUpAThirdOrAt32SecondsBeforeTheEnd() {
        assertEquals(900_000, new SessionTimer(1800, SessionTimer.Refresher.US).refreshAfterMillis());
        assertEquals(1_768_000, new SessionTimer(1800, SessionTimer.Refresher.PEER).expireAfterMillis());
        assertEquals(60_000, new SessionTimer(90, SessionTimer.Refresher.PEER).expireAfterMillis());
        assertEquals(4_000, new SessionTimer(6, SessionTimer.Refresher.PEER).expireAfterMillis());
    }

    @Test
    void aCallerThatSupportsTimersRefreshesAndItsIntervalIsShortenedToOursButNeverBelowAMinSe() throws Exception {
        SessionTimer timer = SessionTimer.asUas(invite("Supported: timer\r\nSession-Expires: 3600\r\n"), OURS, false);
        assertEquals(new SessionTimer(1800, SessionTimer.Refresher.PEER), timer);
        assertEquals("1800;refresher=uac", timer.asUasValue());
        SessionTimer floor = SessionTimer.asUas(invite("Supported: timer\r\nSession-Expires: 3600\r\nMin-SE: 2000\r\n"),
                OURS, false);
        assertEquals(2000, floor.seconds());
    }

    @Test
    void theCallersChoiceOfRefresherStandsAndWeRefreshOnlyAPeerThatAllowsUpdate() throws Exception {
        Request wantsUs = invite("Supported: timer\r\nSession-Expires: 600;refresher=uas\r\n");
        assertEquals(new SessionTimer(600, SessionTimer.Refresher.US), SessionTimer.asUas(wantsUs, OURS, true));
        assertNull(SessionTimer.asUas(wantsUs, OURS, false));
        // no timer support at all: we refresh (by UPDATE) where we can, and run no timer where we cannot
        assertEquals(new SessionTimer(1800, SessionTimer.Refresher.US), SessionTimer.asUas(invite(""), OURS, true));
        assertNull(SessionTimer.asUas(invite(""), OURS, false));
        assertNull(SessionTimer.asUas(invite("Supported: timer\r\n"), new SessionTimerSettings(false, 1800, 90), true));
    }

    @Test
    void legBSettlesOnWhatTheFarEndAnsweredOrRefreshesItselfWhenTheFarEndHasNoTimers() throws Exception {
        assertEquals(new SessionTimer(120, SessionTimer.Refresher.PEER),
                SessionTimer.asUac(ok("Require: timer\r\nSession-Expires: 120;refresher=uas\r\n"), 1800, OURS, false));
        assertEquals(new SessionTimer(120, SessionTimer.Refresher.US),
                SessionTimer.asUac(ok("Require: timer\r\nSession-Expires: 120;refresher=uac\r\n"), 1800, OURS, true));
        assertEquals(new SessionTimer(1800, SessionTimer.Refresher.US), SessionTimer.asUac(ok(""), 1800, OURS, true));
        assertNull(SessionTimer.asUac(ok(""), 1800, OURS, false));
        assertEquals("120;refresher=uac", new SessionTimer(120, SessionTimer.Refresher.US).asUacValue());
    }

    @Test
    void anIntervalBelowOurMinSeIsTooSmallAndA422NamesTheMinSeItWants() throws Exception {
        assertTrue(SessionTimer.tooSmall(invite("Session-Expires: 89\r\n"), OURS));
        assertFalse(SessionTimer.tooSmall(invite("Session-Expires: 90\r\n"), OURS));
        assertFalse(SessionTimer.tooSmall(invite(""), OURS));
        Response tooSmall = MESSAGES.createResponse("SIP/2.0 422 Session Interval Too Small\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
                + "To: <sip:8001@127.0.0.3>;tag=2\r\nCall-ID: st@127.0.0.1\r\nCSeq: 1 INVITE\r\nMin-SE: 2400\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertEquals(2400, SessionTimer.minSeOf(tooSmall));
        assertEquals(7, SessionTimer.deltaSeconds("garbage", 7));
    }
}
