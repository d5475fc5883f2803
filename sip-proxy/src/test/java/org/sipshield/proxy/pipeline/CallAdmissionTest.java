package org.sipshield.proxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.sipshield.config.CallLimits;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.DigestOptions;
import org.sipshield.config.PhoneSecurityProfile;
import org.sipshield.config.SipTrunk;
import org.sipshield.config.SipTrunkSecurityProfile;
import org.sipshield.config.TransportType;
import org.sipshield.proxy.security.DeviceIdentity;
import org.sipshield.proxy.security.Peer;

/** The admission counters: slots taken atomically and given back once, a token bucket per peer. */
class CallAdmissionTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final CallAdmission admission = new CallAdmission(now::get);

    static Peer trunk(String name, CallLimits limits) {
        SipTrunkSecurityProfile profile = new SipTrunkSecurityProfile("p", "", DeviceSecurityMode.NON_SECURE,
                TransportType.TCP_UDP, TransportType.UDP, false, 600, List.of(), 5060, false, false, false, false, false,
                false, new DigestOptions(List.of("MD5"), false, false, false));
        return new Peer.Trunk(new SipTrunk(name, "p", List.of(), false, List.of(), limits), profile);
    }

    static Peer phone(String device, CallLimits limits) {
        PhoneSecurityProfile profile = new PhoneSecurityProfile("phones", "", DeviceSecurityMode.NON_SECURE,
                TransportType.TCP_UDP, false, 600, 5060, new DigestOptions(List.of("MD5"), false, false, false), limits);
        return new Peer.Device(new DeviceIdentity(DeviceIdentity.Kind.PHONE, device, List.of("1001"), "phones", null, null),
                profile);
    }

    @Test
    void concurrentCallsAreCountedPerPeerAndASlotIsGivenBackOnceWhateverEndsTheCall() {
        Peer carrier = trunk("carrier", new CallLimits(0, 2, 0, 0, 0, List.of()));
        Peer other = trunk("other", new CallLimits(0, 2, 0, 0, 0, List.of()));
        CallAdmission.Decision first = admission.admitFrom(carrier);
        CallAdmission.Decision second = admission.admitFrom(carrier);
        assertTrue(first.admitted() && second.admitted());
        assertEquals(CallAdmission.Limit.CONCURRENT_IN, admission.admitFrom(carrier).refusedBy());
        assertTrue(admission.admitFrom(other).admitted(), "another trunk has its own count");
        first.lease().release();
        first.lease().release(); // a BYE and a dialog end racing: one slot back, not two
        assertEquals(1, admission.concurrent(carrier, true));
        assertTrue(admission.admitFrom(carrier).admitted());
        assertFalse(admission.admitFrom(carrier).admitted());
    }

    @Test
    void outboundCallsHaveTheirOwnLimitAndEachPhoneItsOwnCountUnderOneProfile() {
        CallLimits limits = new CallLimits(0, 0, 1, 0, 0, List.of());
        assertTrue(admission.admitTowards(phone("SEPA", limits)).admitted());
        assertEquals(CallAdmission.Limit.CONCURRENT_OUT, admission.admitTowards(phone("SEPA", limits)).refusedBy());
        assertTrue(admission.admitTowards(phone("SEPB", limits)).admitted());
        assertTrue(admission.admitFrom(phone("SEPA", limits)).admitted(), "calls in are not limited here");
    }

    @Test
    void callsPerSecondAllowTheBurstThenTheSustainedRate() {
        Peer carrier = trunk("carrier", new CallLimits(0, 0, 0, 2, 3, List.of()));
        for (int i = 0; i < 3; i++) {
            assertTrue(admission.admitFrom(carrier).admitted(), "burst call " + i);
        }
        assertEquals(CallAdmission.Limit.CALLS_PER_SECOND, admission.admitFrom(carrier).refusedBy());
        now.addAndGet(500_000_000L); // half a second at 2/s: one token
        assertTrue(admission.admitFrom(carrier).admitted());
        assertFalse(admission.admitFrom(carrier).admitted());
        now.addAndGet(10_000_000_000L); // a long pause refills to the burst, never beyond
        for (int i = 0; i < 3; i++) {
            assertTrue(admission.admitFrom(carrier).admitted());
        }
        assertFalse(admission.admitFrom(carrier).admitted());
    }

    @Test
    void peersWithoutLimitsAndUnknownSourcesAreNeverRefused() {
        Peer unlimited = trunk("open", CallLimits.NONE);
        for (int i = 0; i < 1000; i++) {
            assertTrue(admission.admitFrom(unlimited).admitted());
        }
        assertTrue(admission.admitFrom(new Peer.Unknown()).admitted());
    }

    @Test
    void racingCallsNeverTakeMoreSlotsThanTheLimit() throws Exception {
        Peer carrier = trunk("carrier", new CallLimits(0, 5, 0, 0, 0, List.of()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> attempts = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                attempts.add(pool.submit(() -> {
                    start.await();
                    return admission.admitFrom(carrier).admitted();
                }));
            }
            start.countDown();
            int admitted = 0;
            for (Future<Boolean> attempt : attempts) {
                admitted += attempt.get() ? 1 : 0;
            }
            assertEquals(5, admitted);
            assertEquals(5, admission.concurrent(carrier, true));
        } finally {
            pool.shutdownNow();
        }
    }
}
