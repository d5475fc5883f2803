package org.sipshield.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipshield.proxy.pipeline.StepFixture.arriving;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** While draining, a new call is refused with 503 and Retry-After; nothing else is, and nothing before the drain. */
class DrainGateTest {
    @Test
    void onlyNewInvitesAreRefusedAndOnlyWhileDraining() throws Exception {
        AtomicBoolean draining = new AtomicBoolean();
        DrainGate gate = new DrainGate(draining::get, () -> 30);
        assertTrue(gate.apply(arriving("INVITE", "5550100", "192.0.2.1")).proceeds());

        draining.set(true);
        Verdict refused = gate.apply(arriving("INVITE", "5550100", "192.0.2.1"));
        assertEquals(503, refused.status());
        assertEquals(List.of(Map.entry("Retry-After", "30")), refused.headers());
        for (String method : new String[] {"REGISTER", "OPTIONS", "MESSAGE", "SUBSCRIBE"}) {
            assertTrue(gate.apply(arriving(method, "5550100", "192.0.2.1")).proceeds(), method);
        }
    }

    @Test
    void noDrainTimeStillAsksForALaterRetry() throws Exception {
        Verdict refused = new DrainGate(() -> true, () -> 0).apply(arriving("INVITE", "5550100", "192.0.2.1"));
        assertEquals(List.of(Map.entry("Retry-After", "1")), refused.headers());
    }
}
