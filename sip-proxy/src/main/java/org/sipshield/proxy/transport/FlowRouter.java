package org.sipshield.proxy.transport;

import gov.nist.javax.sip.stack.DefaultRouter;
import gov.nist.javax.sip.stack.HopImpl;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.header.CallIdHeader;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;

/**
 * jain-sip's router (named in javax.sip.ROUTER_PATH) with one rule added: a request of a leg to a
 * registered TCP or TLS phone, with no Route in front of it, goes to the phone's connection
 * ({@link PhoneFlows}, by the leg's Call-ID) rather than to the host and port its Request-URI
 * names. Everything else is routed as jain-sip would: Route headers first, then the Request-URI.
 */
public final class FlowRouter extends DefaultRouter {
    private final PhoneFlows flows;

    /** The constructor jain-sip calls by reflection. */
    public FlowRouter(SipStack stack, String outboundProxy) {
        super(stack, outboundProxy);
        this.flows = PhoneFlows.of(stack.getStackName());
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        Hop hop = super.getNextHop(request);
        if (hop == null || request.getHeader(RouteHeader.NAME) != null
                || !(request.getHeader(CallIdHeader.NAME) instanceof CallIdHeader callId)) {
            return hop;
        }
        String transport = hop.getTransport();
        if (!"TCP".equalsIgnoreCase(transport) && !"TLS".equalsIgnoreCase(transport)) {
            return hop;
        }
        Optional<InetSocketAddress> connection = flows.connectionOf(callId.getCallId());
        return connection.<Hop>map(c -> new HopImpl(c.getAddress().getHostAddress(), c.getPort(), transport)).orElse(hop);
    }
}
