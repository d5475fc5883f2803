package org.sipshield.proxy.management;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.sipshield.config.ManagementSettings;
import org.sipshield.media.MediaRelay;
import org.sipshield.proxy.metrics.SipMetrics;
import org.sipshield.tls.TlsPolicy;

/**
 * The operations side of one running proxy: its metrics, its drain, and the management listener
 * that serves them. It sees the proxy only through {@link Proxy}, so the SIP side keeps no
 * knowledge of HTTP and this side none of dialogs.
 */
public final class Operations implements ManagementApi, AutoCloseable {
    /** What operations reads from, and asks of, the proxy. */
    public record Proxy(IntSupplier activeCalls, IntSupplier activeRegistrations, Supplier<MediaRelay> relay,
            Supplier<String> notServingBecause, ToIntFunction<String> endAllCalls, IntSupplier drainSeconds) {}

    private final Proxy proxy;
    private final Drain drain = new Drain();
    private volatile Runnable afterDrain;
    private volatile SipMetrics metrics;
    private volatile ManagementServer management;
    private volatile AdminApi admin;
    private volatile Supplier<String> degradedBecause = () -> null;
    private volatile SecurityEventRing securityEvents;

    /** afterDrain: what a finished drain does (close the proxy; the run command exits the process). */
    public Operations(Proxy proxy, Runnable afterDrain) {
        this.proxy = proxy;
        this.afterDrain = afterDrain;
    }

    public SipMetrics startMetrics() {
        metrics = new SipMetrics(new SipMetrics.Sources(proxy.activeCalls(), proxy.activeRegistrations(), proxy.relay(),
                drain::draining));
        return metrics;
    }

    public void startManagement(ManagementSettings settings, TlsPolicy policy, Path dataDirectory, String hostName)
            throws IOException, GeneralSecurityException, InterruptedException {
        securityEvents = SecurityEventRing.attach();
        management = ManagementServer.start(settings, policy, dataDirectory, hostName, this);
    }

    public boolean draining() {
        return drain.draining();
    }

    @Override
    public String metrics() {
        return metrics.scrape();
    }

    @Override
    public String notReadyBecause() {
        return drain.draining() ? "draining" : proxy.notServingBecause().get();
    }

    @Override
    public String degradedBecause() {
        return degradedBecause.get();
    }

    /** Set by the proxy when it runs with a dependency whose loss degrades it without stopping it. */
    public void degradedBecause(Supplier<String> why) {
        degradedBecause = why;
    }

    @Override
    public boolean drain(String who) {
        return drain.start(who, Duration.ofSeconds(proxy.drainSeconds().getAsInt()), proxy.activeCalls(),
                proxy.endAllCalls(), () -> afterDrain.run());
    }

    /** SIGTERM: drain (or join the drain under way) and return once no call is left. */
    public void drainForStop() throws InterruptedException {
        drain("SIGTERM");
        drain.awaitCallsEnded();
    }

    @Override
    public AdminApi admin() {
        return admin;
    }

    /** Set by the proxy once its registrar, B2BUA and guards exist. */
    public void admin(AdminApi api) {
        admin = api;
    }

    @Override
    public java.util.List<SecurityEvent> securityEvents() {
        SecurityEventRing ring = securityEvents;
        return ring == null ? java.util.List.of() : ring.recent();
    }

    public void afterDrain(Runnable action) {
        afterDrain = action;
    }

    public ManagementServer management() {
        return management;
    }

    @Override
    public void close() {
        ManagementServer server = management;
        if (server != null) {
            server.close();
            management = null;
        }
        SecurityEventRing ring = securityEvents;
        if (ring != null) {
            ring.close();
            securityEvents = null;
        }
        SipMetrics registry = metrics;
        if (registry != null) {
            registry.close();
            metrics = null;
        }
    }
}
