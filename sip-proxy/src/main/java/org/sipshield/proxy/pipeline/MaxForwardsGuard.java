package org.sipshield.proxy.pipeline;

import javax.sip.header.MaxForwardsHeader;
import javax.sip.message.Request;

/** A request that may not be forwarded any further gets 483 (RFC 3261 16.3); OPTIONS may still ask us. */
public final class MaxForwardsGuard implements PipelineStep {
    @Override
    public Verdict apply(InboundRequest inbound) {
        if (inbound.request().getHeader(MaxForwardsHeader.NAME) instanceof MaxForwardsHeader hops
                && hops.getMaxForwards() == 0 && !Request.OPTIONS.equals(inbound.method())) {
            return Verdict.respond(483, "Too Many Hops");
        }
        return Verdict.proceed();
    }
}
