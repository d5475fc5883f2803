package org.sipshield.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import org.sipshield.config.Listener;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.proxy.pipeline.SipRequestHandler;
import org.sipshield.proxy.transport.JainSipLogger;
import org.sipshield.proxy.transport.JainSipMessageLogger;
import org.sipshield.proxy.transport.SipNetworkLayer;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.IdentityStore;
import org.sipshield.tls.ServerIdentity;
import org.sipshield.tls.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running sipshield instance: its SIP stack, listening points and identity. */
public final class SipShieldServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipShieldServer.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SipShieldConfig config;
    private final String stackName = "sipshield-" + INSTANCES.incrementAndGet();
    private final List<SipProvider> providers = new ArrayList<>();
    private SipStack stack;
    private ServerIdentity identity;

    public SipShieldServer(SipShieldConfig config) {
        this.config = config;
    }

    static {
        // Bouncy Castle's JSSE logs through java.util.logging; one log for everything.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
    }

    public synchronized void start() throws IOException, GeneralSecurityException, javax.sip.SipException {
        Files.createDirectories(config.server().dataDirectory());
        identity = new IdentityStore(config.server().dataDirectory())
                .loadOrCreate(CertificatePurpose.SIP, config.server().hostName());
        LOG.info("SIP TLS identity: {}", identity);
        SipNetworkLayer.register(stackName, tlsSockets(TlsContexts.create(identity, null)));

        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        try {
            stack = factory.createSipStack(stackProperties());
            SipRequestHandler handler = new SipRequestHandler(factory.createMessageFactory(),
                    factory.createHeaderFactory(), "sipshield/" + Version.current());
            for (Listener listener : config.listeners()) {
                ListeningPoint point = stack.createListeningPoint(listener.address(), listener.port(),
                        listener.transport().name());
                SipProvider provider = stack.createSipProvider(point);
                provider.addSipListener(handler);
                providers.add(provider);
                LOG.info("listening on {}", listener);
            }
            stack.start();
        } catch (javax.sip.SipException | javax.sip.InvalidArgumentException | java.util.TooManyListenersException
                | RuntimeException e) {
            close();
            throw new javax.sip.SipException("cannot start the SIP listeners: " + e.getMessage(), e);
        }
    }

    private Properties stackProperties() {
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", stackName);
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        properties.setProperty("gov.nist.javax.sip.NETWORK_LAYER", SipNetworkLayer.class.getName());
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", JainSipLogger.class.getName());
        properties.setProperty("gov.nist.javax.sip.SERVER_LOGGER", JainSipMessageLogger.class.getName());
        properties.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        properties.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "16");
        properties.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        properties.setProperty("gov.nist.javax.sip.REJECT_STRAY_RESPONSES", "true");
        properties.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        properties.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
        properties.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", "5000");
        return properties;
    }

    /** TLS 1.3 and 1.2 only; the operator-chosen cipher policy replaces these defaults (TLS issue). */
    private static SipNetworkLayer.TlsSockets tlsSockets(SSLContext context) {
        String[] protocols = {"TLSv1.3", "TLSv1.2"};
        return new SipNetworkLayer.TlsSockets() {
            @Override
            public SSLContext context() {
                return context;
            }

            @Override
            public void configure(SSLServerSocket socket) {
                socket.setEnabledProtocols(protocols);
                javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
                parameters.setUseCipherSuitesOrder(true);
                socket.setSSLParameters(parameters);
            }

            @Override
            public void configure(SSLSocket socket) {
                socket.setEnabledProtocols(protocols);
            }
        };
    }

    public ServerIdentity identity() {
        return identity;
    }

    public SipShieldConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (stack != null) {
            for (SipProvider provider : providers) {
                try {
                    stack.deleteSipProvider(provider);
                } catch (javax.sip.ObjectInUseException | RuntimeException e) {
                    LOG.debug("closing a SIP provider: {}", e.toString());
                }
            }
            providers.clear();
            stack.stop();
            stack = null;
        }
        SipNetworkLayer.unregister(stackName);
    }
}
