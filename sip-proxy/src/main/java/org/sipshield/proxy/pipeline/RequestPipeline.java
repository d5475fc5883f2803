package org.sipshield.proxy.pipeline;

import java.util.List;

/** The steps every out-of-dialog request passes, in the reference's order; the first that stops it wins. */
public final class RequestPipeline {
    private final List<PipelineStep> steps;

    public RequestPipeline(List<PipelineStep> steps) {
        this.steps = List.copyOf(steps);
    }

    public Verdict apply(InboundRequest request) {
        for (PipelineStep step : steps) {
            Verdict verdict = step.apply(request);
            if (!verdict.proceeds()) {
                return verdict;
            }
        }
        return Verdict.proceed();
    }
}
