package org.sipshield.proxy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.sipshield.config.ConfigException;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.ConfigProblem;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.digest.BruteForceGuard;
import org.sipshield.proxy.b2bua.B2bua;
import org.sipshield.proxy.b2bua.CallView;
import org.sipshield.proxy.b2bua.TrunkHealth;
import org.sipshield.proxy.management.AdminApi;
import org.sipshield.proxy.pipeline.OperatorBlockList;
import org.sipshield.proxy.registrar.Binding;
import org.sipshield.proxy.registrar.Registrar;
import org.sipshield.tls.CertificateExpiryMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's view of one running proxy: reads its B2BUA, registrar, block lists and data
 * directory, and changes them only through their own methods.
 */
final class ServerAdmin implements AdminApi {
    private static final Logger LOG = LoggerFactory.getLogger(ServerAdmin.class);
    static final String OPERATOR_REASON = "SIP;cause=200;text=\"ended by the operator\"";

    private final B2bua b2bua;
    private final Registrar registrar;
    private final OperatorBlockList operatorBlocks;
    private final BruteForceGuard guard;
    private final Supplier<SipShieldConfig> config;
    private final SipShieldServer server;
    private final Clock clock;

    ServerAdmin(B2bua b2bua, Registrar registrar, OperatorBlockList operatorBlocks, BruteForceGuard guard,
            Supplier<SipShieldConfig> config, SipShieldServer server, Clock clock) {
        this.b2bua = b2bua;
        this.registrar = registrar;
        this.operatorBlocks = operatorBlocks;
        this.guard = guard;
        this.config = config;
        this.server = server;
        this.clock = clock;
    }

    @Override
    public List<CallView> calls() {
        return b2bua.calls();
    }

    @Override
    public boolean terminateCall(long id) {
        return b2bua.terminate(id, OPERATOR_REASON);
    }

    @Override
    public List<Registration> registrations() {
        return registrar.allBindings().stream().map(ServerAdmin::registration).toList();
    }

    private static Registration registration(Binding b) {
        var flow = b.flow();
        return new Registration(b.deviceName(), b.addressOfRecord(), b.contactUri(),
                b.source().address().getHostAddress() + ":" + b.source().port(), b.source().transport().name(),
                b.registeredAt(), b.expiresAt(), b.userAgent(), flow == null ? null : flow.nodeName(),
                flow == null || flow.localAddress() == null ? null
                        : flow.localAddress().getHostAddress() + ":" + flow.localPort());
    }

    @Override
    public int unregister(String device) {
        return registrar.unregisterDevice(device);
    }

    @Override
    public List<BlockedSource> blocked() {
        List<BlockedSource> all = new ArrayList<>();
        operatorBlocks.blocks().forEach(block -> all.add(new BlockedSource(block.source().getHostAddress(), null,
                block.until(), "operator")));
        guard.blocks().forEach(block -> all.add(new BlockedSource(block.source(), block.user(), block.until(),
                "brute-force")));
        return all;
    }

    @Override
    public Instant block(InetAddress source, Duration duration) {
        Instant until = clock.instant().plus(duration);
        return operatorBlocks.block(source, until) ? until : null;
    }

    @Override
    public boolean unblock(InetAddress source) {
        boolean operator = operatorBlocks.unblock(source);
        boolean bruteForce = guard.unblock(source);
        return operator || bruteForce;
    }

    @Override
    public List<Trunk> trunks() {
        List<TrunkHealth.State> states = b2bua.trunkHealth().states();
        return config.get().sipTrunks().stream().map(trunk -> {
            List<TrunkDestination> health = new ArrayList<>();
            for (int i = 0; i < trunk.destinations().size(); i++) {
                health.add(stateOf(trunk.name(), i + 1, trunk.destinations().get(i), states));
            }
            return new Trunk(trunk.name(), trunk.securityProfile(),
                    trunk.destinations().stream().map(d -> d.host() + ":" + d.port()).toList(), trunk.srtpAllowed(),
                    trunk.optionsPingIntervalSeconds(), health);
        }).toList();
    }

    /** A configured destination's ping state: pinged at its resolved address, found by its place in the list and port. */
    private static TrunkDestination stateOf(String trunk, int position, org.sipshield.config.Destination destination,
            List<TrunkHealth.State> states) {
        String name = destination.host() + ":" + destination.port();
        for (TrunkHealth.State state : states) {
            if (state.key().trunk().equals(trunk) && state.position() == position && state.key().port() == destination.port()) {
                return new TrunkDestination(name, state.up() ? "up" : "down", state.answer(), state.since());
            }
        }
        return new TrunkDestination(name, "unknown", null, null);
    }

    @Override
    public List<Certificate> certificates() {
        Path data = config.get().server().dataDirectory();
        Instant now = clock.instant();
        List<Certificate> all = new ArrayList<>();
        for (Map.Entry<String, X509Certificate> entry : CertificateExpiryMonitor.certificatesIn(data).get().entrySet()) {
            X509Certificate certificate = entry.getValue();
            Instant notAfter = certificate.getNotAfter().toInstant();
            all.add(new Certificate(entry.getKey(), certificate.getSubjectX500Principal().getName(),
                    certificate.getIssuerX500Principal().getName(), notAfter, Duration.between(now, notAfter).toDays()));
        }
        return all;
    }

    @Override
    public ReloadResult reload() {
        return reload(server, server.configFile());
    }

    /** SIGHUP's path and the API's: the file is read and checked whole; any problem and nothing changes. */
    static ReloadResult reload(SipShieldServer server, Path file) {
        if (file == null) {
            return new ReloadResult(false, List.of("the proxy runs on the embedded default configuration: no file to reload"));
        }
        try {
            server.reload(ConfigLoader.load(file));
            return new ReloadResult(true, List.of());
        } catch (ConfigException e) {
            LOG.error("configuration {} refused, the running configuration stays: {} problem(s)", file,
                    e.problems().size());
            e.problems().forEach(problem -> LOG.error("  {}", problem));
            return new ReloadResult(false, e.problems().stream().map(ConfigProblem::toString).toList());
        } catch (ReloadRefusedException e) {
            LOG.error("configuration {} refused, the running configuration stays: {} problem(s)", file,
                    e.problems().size());
            e.problems().forEach(problem -> LOG.error("  {}", problem));
            return new ReloadResult(false, e.problems());
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {} refused, the running configuration stays: {}", file, e.getMessage());
            return new ReloadResult(false, List.of(e.getMessage()));
        }
    }
}
