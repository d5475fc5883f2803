package org.sipshield.proxy.pipeline;

/**
 * One check of the request pipeline, in the reference's order: classify, trunk ACL, digest,
 * application-level ACL. A step either lets the request go on or stops it with a verdict.
 */
public interface PipelineStep {
    Verdict apply(InboundRequest request);
}
