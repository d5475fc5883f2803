package org.sipshield.proxy.pipeline;

import java.util.List;
import java.util.Map;
import javax.sip.message.Request;
import org.sipshield.proxy.security.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anti-fraud admission of new calls, after every authorization step (a call that would be refused
 * anyway spends no slot and no token): a trunk or phone over its concurrent-call or calls-per-second
 * limit is refused. A trunk gets 503 with Retry-After, which a carrier takes as "try elsewhere or
 * later"; a phone gets 486 for concurrent calls (it is busy) and 403 for its rate (a phone placing
 * calls faster than a person can dial is not a person). The slot taken here rides on the request to
 * the B2BUA, whose call gives it back when it ends.
 */
public final class AdmissionControl implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");
    private static final List<Map.Entry<String, String>> RETRY_AFTER = List.of(Map.entry("Retry-After", "1"));

    private final CallAdmission admission;

    public AdmissionControl(CallAdmission admission) {
        this.admission = admission;
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        if (!Request.INVITE.equals(inbound.method()) || !inbound.isOutOfDialog()) {
            return Verdict.proceed();
        }
        CallAdmission.Decision decision = admission.admitFrom(inbound.peer());
        if (decision.admitted()) {
            inbound.admission(decision.lease());
            return Verdict.proceed();
        }
        return refusal(inbound.peer(), decision.refusedBy(), inbound.source().getAddress().getHostAddress());
    }

    /** The answer and SECURITY line of a refused call, from or (concurrent-out) towards the peer. */
    public static Verdict refusal(Peer peer, CallAdmission.Limit limit, String source) {
        var limits = CallAdmission.limitsOf(peer);
        int value = switch (limit) {
            case CONCURRENT_IN -> limits.maxConcurrentCallsIn();
            case CONCURRENT_OUT -> limits.maxConcurrentCallsOut();
            case CALLS_PER_SECOND -> limits.callsPerSecond();
        };
        SECURITY.warn("SECURITY call-admission-refused peer=\"{}\" limit={} max={} src={}", peer.describe(), limit.label(),
                value, source);
        if (peer instanceof Peer.Trunk) {
            return Verdict.respond(503, "Service Unavailable", RETRY_AFTER);
        }
        return limit == CallAdmission.Limit.CALLS_PER_SECOND ? Verdict.respond(403, "Forbidden")
                : Verdict.respond(486, "Busy Here");
    }
}
