package org.sipshield.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.pipeline.StepFixture.arriving;
import static org.sipshield.proxy.pipeline.StepFixture.text;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipshield.config.Transport;

/** The protocol checks that follow classification: Max-Forwards (483), methods and Require (501, 420), pings (200). */
class ProtocolStepsTest {
    @Test
    void aRequestThatMayGoNoFurtherGets483ButAnOptionsMayStillAskUs() throws Exception {
        MaxForwardsGuard guard = new MaxForwardsGuard();
        Verdict spent = guard.apply(arriving(text("INVITE", "sip:8100@127.0.0.1", "5550100", null, "")
                .replace("Max-Forwards: 70", "Max-Forwards: 0"), Transport.UDP, "192.0.2.1"));
        assertEquals(483, spent.status());
        assertTrue(guard.apply(arriving(text("OPTIONS", "sip:127.0.0.1", "5550100", null, "")
                .replace("Max-Forwards: 70", "Max-Forwards: 0"), Transport.UDP, "192.0.2.1")).proceeds());
        assertTrue(guard.apply(arriving("INVITE", "5550100", "192.0.2.1")).proceeds());
    }

    @Test
    void anUnknownMethodGets501AndAnUnsupportedRequireGets420NamingIt() throws Exception {
        MethodSupport support = new MethodSupport();
        assertEquals(501, support.apply(arriving("FROBNICATE", "5550100", "192.0.2.1")).status());
        Verdict required = support.apply(arriving(text("INVITE", "sip:8100@127.0.0.1", "5550100", null,
                "Require: x-frobnication, replaces\r\n"), Transport.UDP, "192.0.2.1"));
        assertEquals(420, required.status());
        assertEquals(java.util.List.of(Map.entry("Unsupported", "x-frobnication")), required.headers());
        assertTrue(support.apply(arriving(text("INVITE", "sip:8100@127.0.0.1", "5550100", null,
                "Require: replaces\r\n"), Transport.UDP, "192.0.2.1")).proceeds());
    }

    @Test
    void anOptionsToTheProxyItselfIsAnsweredAndOneToAUserGoesOn() throws Exception {
        PingAnswer ping = new PingAnswer("sipshield/test");
        Verdict answered = ping.apply(arriving(text("OPTIONS", "sip:127.0.0.1", "5550100", null, ""), Transport.UDP,
                "192.0.2.1"));
        assertEquals(200, answered.status());
        assertTrue(answered.headers().contains(Map.entry("Allow", "INVITE")), answered.headers().toString());
        assertTrue(answered.headers().contains(Map.entry("User-Agent", "sipshield/test")));
        assertTrue(ping.apply(arriving("OPTIONS", "5550100", "192.0.2.1")).proceeds());
        assertTrue(ping.apply(arriving("INVITE", "5550100", "192.0.2.1")).proceeds());
    }
}
