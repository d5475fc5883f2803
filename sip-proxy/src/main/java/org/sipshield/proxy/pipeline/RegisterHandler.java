package org.sipshield.proxy.pipeline;

import javax.sip.message.Response;
import org.sipshield.proxy.security.DeviceIdentity;

/** The registrar as the pipeline sees it: an authorised REGISTER of a known device in, the response out. */
public interface RegisterHandler {
    Response register(InboundRequest request, DeviceIdentity device) throws Exception;
}
