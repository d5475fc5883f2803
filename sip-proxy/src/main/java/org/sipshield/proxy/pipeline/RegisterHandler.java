package org.sipshield.proxy.pipeline;

import java.util.concurrent.CompletionStage;
import javax.sip.message.Response;
import org.sipshield.proxy.security.DeviceIdentity;

/** The registrar as the pipeline sees it: an authorised REGISTER of a known device in, the response out. */
public interface RegisterHandler {
    /** The final response, once the registration is durable (or refused); never completes exceptionally. */
    CompletionStage<Response> register(InboundRequest request, DeviceIdentity device);
}
