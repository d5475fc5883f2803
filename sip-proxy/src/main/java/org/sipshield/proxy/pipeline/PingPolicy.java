package org.sipshield.proxy.pipeline;

import java.util.function.Supplier;
import org.sipshield.config.SecuritySettings;
import org.sipshield.proxy.security.SecurityModel;

/**
 * Who gets an answer to an OPTIONS ping addressed to the proxy itself. With unknownSource
 * REJECT_403 everybody does (keepalives and health checks of any peer just work); with DROP
 * the operator wants the proxy invisible to strangers, so a ping from a source the
 * classification step does not know (or a secure device's number without its certificate) is
 * dropped like any other request of theirs. Pings are never challenged: only the steps that say
 * who is speaking apply.
 */
public final class PingPolicy implements PipelineStep {
    private final Supplier<SecurityModel> model;
    private final RequestPipeline identify;

    /** @param identify the steps that say who is speaking (classification, device certificates) */
    public PingPolicy(Supplier<SecurityModel> model, RequestPipeline identify) {
        this.model = model;
        this.identify = identify;
    }

    @Override
    public Verdict apply(InboundRequest ping) {
        if (model.get().config().security().unknownSource() != SecuritySettings.Rejection.DROP) {
            return Verdict.proceed();
        }
        return identify.apply(ping);
    }
}
