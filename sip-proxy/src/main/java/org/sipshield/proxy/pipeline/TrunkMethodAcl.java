package org.sipshield.proxy.pipeline;

import org.sipshield.proxy.security.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Second step: the trunk's security profile decides which request categories it may send (403 otherwise). */
public final class TrunkMethodAcl implements PipelineStep {
    private static final Logger SECURITY = LoggerFactory.getLogger("sipshield.security");

    @Override
    public Verdict apply(InboundRequest inbound) {
        if (!(inbound.peer() instanceof Peer.Trunk trunk)) {
            return Verdict.proceed();
        }
        for (RequestCategory category : RequestCategory.of(inbound)) {
            if (!category.acceptedBy(trunk.profile())) {
                SECURITY.info("SECURITY acl-denied level=trunk trunk=\"{}\" src={} method={} category=\"{}\"",
                        trunk.trunk().name(), inbound.source().getAddress().getHostAddress(), inbound.method(), category.label());
                return Verdict.respond(403, "Forbidden");
            }
        }
        return Verdict.proceed();
    }
}
