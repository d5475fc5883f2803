package org.sipshield.proxy.pipeline;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import javax.sip.message.Request;

/**
 * While the proxy drains (before a stop), a new call is refused with 503 and Retry-After so that
 * the caller tries another instance or comes back after the restart; requests inside calls in
 * progress never pass here (the in-dialog pipeline has no such step), so those calls go on.
 * After classification: a stranger learns nothing from us, draining or not.
 */
public final class DrainGate implements PipelineStep {
    private final BooleanSupplier draining;
    private final IntSupplier retryAfterSeconds;

    /** retryAfterSeconds: the drain time in force (server.shutdownDrainSeconds, after reloads). */
    public DrainGate(BooleanSupplier draining, IntSupplier retryAfterSeconds) {
        this.draining = draining;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Verdict apply(InboundRequest inbound) {
        if (Request.INVITE.equals(inbound.method()) && draining.getAsBoolean()) {
            return Verdict.respond(503, "Service Unavailable",
                    List.of(Map.entry("Retry-After", Integer.toString(Math.max(1, retryAfterSeconds.getAsInt())))));
        }
        return Verdict.proceed();
    }
}
