package org.sipshield.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.message.MessageFactory;
import org.sipshield.config.Listener;
import org.sipshield.config.RestartRequired;
import org.sipshield.config.SecuritySettings;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.config.Transport;
import org.sipshield.digest.LocalCounters;
import org.sipshield.digest.SharedCounters;
import org.sipshield.proxy.b2bua.B2bua;
import org.sipshield.proxy.b2bua.SipMessaging;
import org.sipshield.proxy.b2bua.TargetResolver;
import org.sipshield.proxy.cluster.ClusterCounters;
import org.sipshield.proxy.management.ManagementServer;
import org.sipshield.proxy.management.Operations;
import org.sipshield.proxy.media.MediaAnchoring;
import org.sipshield.proxy.metrics.MeteredSipListener;
import org.sipshield.proxy.metrics.SipMetrics;
import org.sipshield.proxy.pipeline.DrainGate;
import org.sipshield.proxy.pipeline.AdmissionControl;
import org.sipshield.proxy.pipeline.ApplicationLevelAcl;
import org.sipshield.proxy.pipeline.CallAdmission;
import org.sipshield.proxy.pipeline.ClassifySource;
import org.sipshield.proxy.pipeline.DigestAuthentication;
import org.sipshield.proxy.pipeline.DialogPeerCheck;
import org.sipshield.proxy.pipeline.MaxForwardsGuard;
import org.sipshield.proxy.pipeline.MethodSupport;
import org.sipshield.proxy.pipeline.PingAnswer;
import org.sipshield.proxy.pipeline.RequestPipeline;
import org.sipshield.proxy.pipeline.SipRequestHandler;
import org.sipshield.proxy.pipeline.TlsDeviceAuthentication;
import org.sipshield.proxy.pipeline.TrunkMethodAcl;
import org.sipshield.proxy.registrar.Registrar;
import org.sipshield.proxy.registrar.RegisteredContacts;
import org.sipshield.proxy.registrar.SourceAddress;
import org.sipshield.proxy.registrar.PostgresRegistrationStore;
import org.sipshield.proxy.registrar.RegistrationStore;
import org.sipshield.proxy.registrar.SqliteRegistrationStore;
import org.sipshield.proxy.screening.ScreeningValve;
import org.sipshield.proxy.security.DigestContext;
import org.sipshield.proxy.security.NonceKeyFile;
import org.sipshield.proxy.security.SecurityModel;
import org.sipshield.proxy.transport.LiveSipTls;
import org.sipshield.proxy.transport.SipNetworkLayer;
import org.sipshield.proxy.transport.SipStackProperties;
import org.sipshield.proxy.watchdog.StallWatchdog;
import org.sipshield.proxy.watchdog.WatchedSipListener;
import org.sipshield.tls.CertificateChainValidator;
import org.sipshield.tls.CertificatePurpose;
import org.sipshield.tls.ServerIdentity;
import org.sipshield.tls.TrustStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running sipshield instance: its SIP stack and listening points, its identity, the request
 * pipeline, registrar and B2BUA. The security model can be replaced while running
 * ({@link #reload}); listeners and the data directory are fixed for the life of the instance.
 *
 * <p>Why this file is over 400 lines: it is the composition root, and {@link #start} reads top to
 * bottom as the start sequence (data, identity, stack, registrar, media, B2BUA, pipelines,
 * listeners, housekeeping), {@link #close} as its reverse. Every part it wires has its own class;
 * what is left here is the order, which split across files would be harder to check.
 */
public final class SipShieldServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipShieldServer.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    static {
        LogBridge.install();
    }

    /** Set by start(): the model's digest authenticators need the nonce key from the data directory. */
    private final AtomicReference<SecurityModel> model = new AtomicReference<>();
    private volatile SipShieldConfig initialConfig;
    private DigestContext digestContext;
    /** Failure counts, blocks and used nonce counts: this node's memory, or Redis (then also in cluster). */
    private SharedCounters counters;
    private ClusterCounters cluster;
    private final String stackName = "sipshield-" + INSTANCES.incrementAndGet();
    private final List<SipProvider> providers = new ArrayList<>();
    private final Clock clock;
    private SipStack stack;
    private LiveSipTls sipTls;
    private RegistrationStore registrationStore;
    private Registrar registrar;
    private B2bua b2bua;
    private MediaAnchoring media;
    private ScheduledExecutorService housekeeping;
    private ServedTls servedTls;
    /** The screening valve's rate limit in force; a reload retunes it. */
    private final AtomicReference<ScreeningValve.Limit> screeningLimit = new AtomicReference<>();
    private StallWatchdog watchdog;
    /** The SIP trust store as classification asks it: a handshake alone does not prove it (pinned certificates). */
    private CertificateChainValidator sipTrust;
    /** Metrics, drain and the management listener; a finished drain closes this instance unless told otherwise. */
    private final Operations operations = new Operations(new Operations.Proxy(this::activeCalls,
            () -> registrar == null ? 0 : registrar.activeBindings(), () -> media == null ? null : media.relay(),
            this::notServingBecause, reason -> b2bua == null ? 0 : b2bua.endAllCalls(reason),
            () -> config().server().shutdownDrainSeconds()), this::close);
    private volatile SipMetrics metrics;
    private org.sipshield.digest.BruteForceGuard guard;
    private org.sipshield.proxy.cdr.CallRecords callRecords;
    private org.sipshield.proxy.pipeline.OperatorBlockList operatorBlocks;
    /** The file SIGHUP and the admin API's reload read; null on the embedded default. */
    private volatile Path configFile;

    public SipShieldServer(SipShieldConfig config) {
        this(config, Clock.systemUTC());
    }

    /** clock drives nonce validity, brute-force windows and registration expiry (tests move it by hand). */
    public SipShieldServer(SipShieldConfig config, Clock clock) {
        this.initialConfig = config;
        this.clock = clock;
    }

    public synchronized void start() throws IOException, GeneralSecurityException, javax.sip.SipException {
        SipShieldConfig config = config();
        Path dataDirectory = config.server().dataDirectory();
        Files.createDirectories(dataDirectory);
        LocalCounters local = LocalCounters.withDefaults(clock);
        cluster = config.redis().isShared() ? ClusterCounters.start(config.redis(), local) : null;
        counters = cluster != null ? cluster : local;
        digestContext = new DigestContext(NonceKeyFile.load(dataDirectory), counters, clock, new SecureRandom());
        model.set(new SecurityModel(config, digestContext));
        config.warnings().forEach(warning -> LOG.warn("configuration: {}", warning));
        sipTrust = CertificateChainValidator.of(new TrustStore(dataDirectory, CertificatePurpose.SIP));
        sipTls = LiveSipTls.start(config, certificate -> model.get().pinsCertificate(certificate));
        servedTls = new ServedTls(sipTls, operations::management);
        SipNetworkLayer.observeHandshakes(stackName, (result, suite) -> {
            SipMetrics counted = metrics; // a handshake may come before the metrics exist, or after they closed
            if (counted != null) {
                counted.tlsHandshake(result, suite);
            }
        });
        SipNetworkLayer.register(stackName, new SipNetworkLayer.Tls(sipTls, destination -> model.get().namesOfTrunkAt(destination)));
        screeningLimit.set(ScreeningValve.Limit.of(config.security(), this::isTrustedSource));
        ScreeningValve.register(stackName, screeningLimit::get, this::mayAnswerScreened);
        String nodeName = config.server().nodeName();
        registrationStore = config.database().isShared()
                ? PostgresRegistrationStore.open(config.database(), nodeName, clock)
                : SqliteRegistrationStore.open(dataDirectory, nodeName);
        LOG.info("node {}: registrations in {}", nodeName,
                config.database().isShared() ? config.database().url() : dataDirectory.resolve(SqliteRegistrationStore.FILE_NAME));
        metrics = operations.startMetrics();
        metrics.certificates(org.sipshield.tls.CertificateExpiryMonitor.certificatesIn(dataDirectory));
        if (cluster != null) {
            cluster.register(metrics.registry());
            operations.degradedBecause(cluster::unavailableBecause);
        }

        // jain-sip's branch ids come from its own static java.util.Random unless replaced first
        org.sipshield.proxy.transport.SipIdentifiers.secureJainSip();
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        try {
            stack = factory.createSipStack(SipStackProperties.of(stackName));
            for (Listener listener : config.listeners()) {
                ListeningPoint point = stack.createListeningPoint(listener.address(), listener.port(),
                        listener.transport().name());
                providers.add(stack.createSipProvider(point));
            }
            SipNetworkLayer.boundUdpBacklogs(stack);
            MessageFactory messages = factory.createMessageFactory();
            var headers = factory.createHeaderFactory();
            registrar = new Registrar(registrationStore, messages, headers, () -> config().registrar(), clock);
            SipMessaging messaging = new SipMessaging(messages, headers, factory.createAddressFactory(), providers,
                    config.server().hostName(), org.sipshield.proxy.transport.PhoneFlows.of(stackName));
            media = MediaAnchoring.start(config.media(), () -> config().media());
            CallAdmission admission = new CallAdmission(System::nanoTime);
            b2bua = new B2bua(messaging, model::get, media.sdpRewriter(), admission, clock);
            media.onMediaTimeout(b2bua::endCallForMediaTimeout);
            callRecords = org.sipshield.proxy.cdr.CallRecords.open(registrationStore);
            b2bua.onCallEnded(callRecords::record);
            b2bua.onCallDecided(metrics::callDecided);
            metrics.trunkCalls(b2bua::activeTrunkCalls);
            RegisteredContacts registered = new RegisteredContacts(registrar,
                    config.database().isShared() ? config.server().nodeName() : null);
            TargetResolver routing = new TargetResolver(model::get, registered, b2bua.trunkHealth());
            DigestAuthentication digest = digestAuthentication();
            operatorBlocks = new org.sipshield.proxy.pipeline.OperatorBlockList(clock, counters);
            if (cluster != null) {
                var blocks = operatorBlocks;
                ClusterCounters shared = cluster;
                shared.whileAvailable(() -> blocks.refresh(
                        shared.sharedBlocks(org.sipshield.proxy.pipeline.OperatorBlockList.BLOCK_LIST)));
            }
            ClassifySource classify = new ClassifySource(model::get, registered, sipTrust);
            TlsDeviceAuthentication deviceCertificates = new TlsDeviceAuthentication(model::get, sipTrust);
            RequestPipeline requests = new RequestPipeline(List.of(
                    operatorBlocks,
                    classify,
                    deviceCertificates,
                    new MaxForwardsGuard(),
                    new MethodSupport(),
                    new PingAnswer("sipshield/" + Version.current()),
                    new DrainGate(operations::draining, () -> config().server().shutdownDrainSeconds()),
                    new TrunkMethodAcl(),
                    digest,
                    new ApplicationLevelAcl(model::get),
                    new AdmissionControl(admission)));
            RequestPipeline identify = new RequestPipeline(List.of(classify, deviceCertificates));
            DialogPeerCheck dialogPeers = new DialogPeerCheck(b2bua::match, identify::apply);
            ScreeningValve.guardDialogs(stackName, dialogPeers::refuseStranger);
            // the trunk's own ACL holds inside a dialog too (a REFER with Replaces is a transfer's);
            // an application user's flags need its digest, which in-dialog requests need not carry
            RequestPipeline dialogRequests = new RequestPipeline(List.of(operatorBlocks, dialogPeers, new TrunkMethodAcl(),
                    digest));
            SipRequestHandler handler = new SipRequestHandler(messages, headers, requests, dialogRequests,
                    (inbound, device) -> registrar.register(inbound.request(), device,
                            new SourceAddress(inbound.source().getAddress(), inbound.source().getPort(), inbound.transport()),
                            flowOf(inbound)),
                    routing, b2bua);
            watchdog = new StallWatchdog(Duration.ofSeconds(config.server().stallWarningSeconds()));
            watchdog.start();
            javax.sip.SipListener watched = new org.sipshield.proxy.logging.CallIdLogContext(
                    new WatchedSipListener(new MeteredSipListener(handler, metrics), watchdog));
            for (SipProvider provider : providers) {
                provider.addSipListener(watched);
                LOG.info("listening on {}", describe(provider));
            }
            stack.start();
            b2bua.startTrunkPings();
            metrics.trunkDestinations(() -> b2bua.trunkHealth().destinations(model.get()).stream()
                    .map(d -> new SipMetrics.DestinationUp(d.key().trunk(), d.position(), d.up())).toList());
            operations.admin(new ServerAdmin(b2bua, registrar, operatorBlocks, guard, this::config, this, clock));
            if (config.management().enabled()) {
                operations.startManagement(config.management(), config.tls().policy(), dataDirectory,
                        config.server().hostName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while starting the management listener", e);
        } catch (javax.sip.SipException | javax.sip.InvalidArgumentException | java.util.TooManyListenersException
                | RuntimeException e) {
            close();
            throw new javax.sip.SipException("cannot start the SIP listeners: " + e.getMessage(), e);
        }
        housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sipshield-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(this::purgeExpiredRegistrations, 30, 30, TimeUnit.SECONDS);
        org.sipshield.proxy.cdr.CallRecords records = callRecords;
        housekeeping.scheduleWithFixedDelay(() -> records.purgeEndedBefore(clock.instant()
                .minus(Duration.ofDays(config().server().callRecordDays()))), 1, 60, TimeUnit.MINUTES);
        servedTls.startChecks(housekeeping, clock, config, this::config);
    }

    /** One digest step (and one brute-force guard) for both pipelines: a source blocked in one is blocked in the other. */
    private DigestAuthentication digestAuthentication() {
        guard = DigestAuthentication.bruteForceGuard(config().security(), clock, counters);
        return new DigestAuthentication(model::get, guard, metrics::digestOutcome);
    }

    /** Active bindings this node knows: its own and, with a shared database, every other node's. */
    public int activeBindings() {
        Registrar registrations = registrar;
        return registrations == null ? 0 : registrations.activeBindings();
    }

    /** Legs to TCP/TLS phones whose requests follow the phone's connection now (each unpinned when its leg ends). */
    public int phoneFlowsPinned() {
        return org.sipshield.proxy.transport.PhoneFlows.of(stackName).pinned();
    }

    /**
     * Screening's answers (400, 503) go to everyone unless unknown sources are dropped; then only
     * to a trunk candidate or to the socket address a device registered from.
     */
    private boolean mayAnswerScreened(int localPort, Transport transport, java.net.InetAddress address, int port) {
        SecurityModel current = model.get();
        if (current.config().security().unknownSource() != SecuritySettings.Rejection.DROP
                || !current.trunkCandidates(localPort, transport, address).isEmpty()) {
            return true;
        }
        Registrar registrations = registrar;
        return registrations != null && port > 0
                && registrations.bindingFrom(new SourceAddress(address, port, transport)).isPresent();
    }

    private void purgeExpiredRegistrations() {
        try {
            int purged = registrar.purgeExpired();
            if (purged > 0) {
                LOG.info("{} expired registration(s) removed", purged);
            }
        } catch (RuntimeException e) {
            LOG.warn("purging expired registrations: {}", e.toString());
        }
    }

    /**
     * Puts a new, already validated configuration in force, whole or not at all. A change to a key
     * that needs a restart (listeners, data directory, database, redis, management listener, media ports:
     * {@link RestartRequired}) refuses it, naming each key. Everything else applies: the model
     * (profiles, trunks, users, devices, the request path's settings), the SIP and HTTPS TLS policies
     * and identities (certificate files read again: new handshakes use them, connections up keep
     * theirs), OCSP and expiry checks, the rate limit, the brute-force policy, registrar and media
     * settings. All that can fail is built before anything is swapped.
     */
    public synchronized void reload(SipShieldConfig next) {
        List<String> restart = RestartRequired.changedKeys(config(), next);
        if (!restart.isEmpty()) {
            throw new ReloadRefusedException(restart);
        }
        if (digestContext == null) {
            initialConfig = next; // not started yet: start() builds the model
            return;
        }
        SecurityModel nextModel = new SecurityModel(next, digestContext);
        synchronized (servedTls) {
            ServedTls.Prepared tls = servedTls.prepare(next);
            model.set(nextModel);
            servedTls.apply(tls, next);
        }
        screeningLimit.set(screeningLimit.get().reloaded(next.security()));
        guard.policy(DigestAuthentication.bruteForcePolicy(next.security()));
        MediaAnchoring running = media;
        if (running != null) { // null once closed
            running.retune(next.media());
        }
        next.warnings().forEach(warning -> LOG.warn("configuration: {}", warning));
        LOG.info("configuration reloaded: {} trunks, {} phones, {} voicemail ports", next.sipTrunks().size(),
                next.phones().size(), next.voicemailPorts().size());
    }

    /** The configuration file SIGHUP and the admin API's reload read (the run command's --config). */
    public void configFile(Path file) {
        configFile = file;
    }

    public Path configFile() {
        return configFile;
    }

    /** SIGHUP: re-read the configuration file; refused whole (and logged) on any problem. */
    public org.sipshield.proxy.management.AdminApi.ReloadResult reloadConfigFile() {
        return ServerAdmin.reload(this, configFile);
    }

    /** The node and listener a REGISTER came in on: what its bindings record as their holder. */
    private org.sipshield.proxy.registrar.Flow flowOf(org.sipshield.proxy.pipeline.InboundRequest inbound) {
        ListeningPoint point = inbound.provider().getListeningPoints()[0];
        try {
            // the listener's own address, a literal we bound: no name look-up
            return new org.sipshield.proxy.registrar.Flow(config().server().nodeName(),
                    java.net.InetAddress.getByName(point.getIPAddress()), point.getPort());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("listener address is not a literal: " + point.getIPAddress(), e);
        }
    }

    private static String describe(SipProvider provider) {
        ListeningPoint point = provider.getListeningPoints()[0];
        return point.getTransport() + " " + point.getIPAddress() + ":" + point.getPort();
    }

    /** The SIP TLS identity in force (the RSA one; a reload may replace it). */
    public ServerIdentity identity() {
        return sipTls.identity();
    }

    /** Why new calls should go elsewhere now (draining, listeners down, database unreachable); null when ready. */
    public String notReadyBecause() {
        return operations.notReadyBecause();
    }

    /** What this ready instance runs without (its cluster's Redis), or null. */
    public String degradedBecause() {
        return operations.degradedBecause();
    }

    private String notServingBecause() {
        if (stack == null || providers.isEmpty()) {
            return "SIP listeners down";
        }
        RegistrationStore store = registrationStore;
        if (store == null || !store.reachable()) {
            return "database unreachable";
        }
        ClusterCounters shared = cluster;
        return shared != null && shared.rule() == org.sipshield.config.RedisSettings.Unavailable.FAIL_CLOSED
                ? shared.unavailableBecause() : null;
    }

    /** Starts a drain (new calls refused, then calls ended, then closed); false when one is under way. */
    public boolean startDrain(String who) {
        return operations.drain(who);
    }

    /** SIGTERM: drain (or join the drain under way), then stop. */
    public void drainAndClose() throws InterruptedException {
        operations.drainForStop();
        close();
    }

    /** What a finished drain does instead of closing this instance (the run command exits the process). */
    public void afterDrain(Runnable action) {
        operations.afterDrain(action);
    }

    /** The management listener, or null when it is off. */
    public ManagementServer management() {
        return operations.management();
    }

    public SipMetrics metrics() {
        return metrics;
    }

    /** The media relay and SDP step (null before start): its counters, ready for metrics. */
    public MediaAnchoring media() {
        return media;
    }

    public SipShieldConfig config() {
        SecurityModel current = model.get();
        return current == null ? initialConfig : current.config();
    }

    /** Stalls of the signalling threads the watchdog has logged since start (0 is the only healthy value). */
    public long signallingStalls() {
        return watchdog == null ? 0 : watchdog.stallsDetected();
    }

    public int activeCalls() {
        return b2bua == null ? 0 : b2bua.activeCalls();
    }

    @Override
    public synchronized void close() {
        operations.close();
        if (servedTls != null) {
            servedTls.stop();
        }
        if (b2bua != null) {
            b2bua.close();
        }
        if (housekeeping != null) {
            housekeeping.shutdownNow();
            housekeeping = null;
        }
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
        if (callRecords != null) {
            callRecords.close(); // after the stack: the calls a stop ended are recorded too
            callRecords = null;
        }
        if (registrar != null) {
            registrar.close(); // commits what is queued: a 200 already promised is kept
            registrar = null;
        }
        if (registrationStore != null) {
            registrationStore.close();
            registrationStore = null;
        }
        if (media != null) {
            media.close();
            media = null;
        }
        if (watchdog != null) {
            watchdog.close();
            watchdog = null;
        }
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
        SipNetworkLayer.unregister(stackName);
        ScreeningValve.unregister(stackName);
        org.sipshield.proxy.transport.PhoneFlows.forget(stackName);
    }

    /** A trunk's trusted address, from the model in force (a reload changes the list at once). */
    private boolean isTrustedSource(java.net.InetAddress source) {
        SecurityModel current = model.get();
        return current != null && current.isTrustedSource(source);
    }
}
