package org.sipshield.proxy.transport;

import java.util.Properties;

/** The jain-sip stack's settings: our network layer, loggers, screening, and a B2BUA's dialog handling. */
public final class SipStackProperties {
    /** The UDP listeners' socket buffers we ask the kernel for (bursts at site scale). */
    public static final int UDP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

    private SipStackProperties() {}

    public static Properties of(String stackName) {
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", stackName);
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        properties.setProperty("gov.nist.javax.sip.IS_BACK_TO_BACK_USER_AGENT", "true");
        properties.setProperty("gov.nist.javax.sip.NETWORK_LAYER", SipNetworkLayer.class.getName());
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", JainSipLogger.class.getName());
        properties.setProperty("gov.nist.javax.sip.SERVER_LOGGER", JainSipMessageLogger.class.getName());
        properties.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        properties.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "16");
        properties.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        // jain-sip's default UDP socket buffers are 64 KB: one thread reads the socket, and while it is
        // descheduled a burst of a few dozen REGISTERs overflows the buffer and the kernel drops them
        // (bench/signaling.sh: every retransmission at 2,500/s was such a drop). The kernel caps the size at
        // net.core.rmem_max / wmem_max; SipNetworkLayer logs what it granted.
        properties.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(UDP_SOCKET_BUFFER_BYTES));
        properties.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(UDP_SOCKET_BUFFER_BYTES));
        properties.setProperty("gov.nist.javax.sip.REJECT_STRAY_RESPONSES", "true");
        properties.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        // out-of-dialog NOTIFY must reach the pipeline, which decides on it (trunk ACL: unsolicited notification)
        properties.setProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY", "true");
        properties.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Want");
        properties.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", "5000");
        // hostile input: malformed messages are refused by our screening parser, before any transaction
        properties.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY",
                org.sipshield.proxy.screening.ScreeningMessageParserFactory.class.getName());
        // a registered TCP/TLS phone is reached over the connection it registered on (PhoneFlows)
        properties.setProperty("javax.sip.ROUTER_PATH", FlowRouter.class.getName());
        properties.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", org.sipshield.proxy.screening.ScreeningValve.class.getName());
        return properties;
    }
}
