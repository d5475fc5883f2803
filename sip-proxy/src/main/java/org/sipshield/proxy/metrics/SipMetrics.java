package org.sipshield.proxy.metrics;

import ch.qos.logback.classic.Logger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.sipshield.proxy.b2bua.CallOutcomes;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.sipshield.media.MediaRelay;
import org.slf4j.LoggerFactory;

/**
 * The proxy's metrics, scraped as Prometheus text. Every name starts with {@code sipshield_}
 * (JVM metrics included) and every label takes values from a fixed, small set (method, code,
 * transport, result, event type, digest outcome): never an address, a user or a Call-ID, which
 * would let a scanner grow the series without bound. What the proxy already counts (calls,
 * registrations, the relay's sessions and ports) is read when scraped, so the media packet path
 * gains nothing.
 */
public final class SipMetrics implements AutoCloseable {
    private static final Set<String> METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS",
            "PRACK", "UPDATE", "INFO", "REFER", "NOTIFY", "SUBSCRIBE", "MESSAGE", "PUBLISH");
    private static final Set<String> TRANSPORTS = Set.of("UDP", "TCP", "TLS");
    /** Setup time buckets: a trunk's answer in milliseconds, a person's in seconds, up to ringing out. */
    private static final Duration[] SETUP_BUCKETS = java.util.stream.Stream.of(50, 100, 250, 500, 1000, 2500, 5000,
            10_000, 20_000, 30_000, 60_000, 120_000).map(Duration::ofMillis).toArray(Duration[]::new);

    /** What is counted elsewhere, read at scrape time. */
    public record Sources(IntSupplier activeCalls, IntSupplier activeRegistrations, Supplier<MediaRelay> relay,
            BooleanSupplier draining) {}

    /** One trunk destination for sipshield_trunk_destination_up: position is its place in the trunk's list, from 1. */
    public record DestinationUp(String trunk, int position, boolean up) {}

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final LogEventCounter securityEvents;
    private final MultiGauge trunkCallsActive;
    private volatile Supplier<List<CallOutcomes.TrunkCalls>> trunkCalls = List::of;
    private final Map<String, Timer> setupTimers = new ConcurrentHashMap<>();
    private final MultiGauge destinationsUp;
    private volatile Supplier<List<DestinationUp>> destinations = List::of;
    private final MultiGauge certificateExpiry;
    private volatile Supplier<Map<String, X509Certificate>> certificates = Map::of;

    public SipMetrics(Sources sources) {
        // promtool's lint refuses these two names (an abbreviated unit, a _count that is no histogram's);
        // process_cpu_usage says enough. Micrometer renames before it filters: the names are prefixed here.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("sipshield.process.cpu.time")
                || id.getName().equals("sipshield.system.cpu.count")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith("sipshield.") ? id : id.withName("sipshield." + id.getName());
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("sipshield.calls.active", sources.activeCalls()::getAsInt)
                .description("calls up or being set up").register(registry);
        Gauge.builder("sipshield.registrations.active", sources.activeRegistrations()::getAsInt)
                .description("registration bindings held").register(registry);
        Gauge.builder("sipshield.draining", () -> sources.draining().getAsBoolean() ? 1 : 0)
                .description("1 while the proxy drains before a stop").register(registry);
        Gauge.builder("sipshield.relay.sessions.active", () -> relayValue(sources, r -> r.activeSessions()))
                .description("media relay sessions open").register(registry);
        Gauge.builder("sipshield.relay.port.pairs.free", () -> relayValue(sources, r -> r.freePortPairs()))
                .description("RTP/RTCP port pairs free").register(registry);
        Gauge.builder("sipshield.relay.port.pairs.used", () -> relayValue(sources, r -> totalPairs(r) - r.freePortPairs()))
                .description("RTP/RTCP port pairs in use").register(registry);
        // labelled by the trunk's name and the destination's place in its list: never its address
        destinationsUp = MultiGauge.builder("sipshield.trunk.destination.up")
                .description("1 while a trunk destination answers its OPTIONS pings (or is not pinged), 0 while calls skip it")
                .register(registry);
        certificateExpiry = MultiGauge.builder("sipshield.certificate.expiry.timestamp").baseUnit("seconds")
                .description("when each certificate of the data directory expires (our identities, trust-store entries), Unix time")
                .register(registry);
        securityEvents = LogEventCounter.attach((Logger) LoggerFactory.getLogger("sipshield.security"),
                SecurityEventNames::eventOf, event -> count("sipshield.security.events", "security events by type",
                        "type", event));
        trunkCallsActive = MultiGauge.builder("sipshield.trunk.calls.active")
                .description("calls up or being set up per trunk, direction in (from it) or out (to it)").register(registry);
    }

    private static double relayValue(Sources sources, java.util.function.ToIntFunction<MediaRelay> value) {
        MediaRelay relay = sources.relay().get();
        return relay == null ? Double.NaN : value.applyAsInt(relay);
    }

    private static int totalPairs(MediaRelay relay) {
        var ports = relay.options().ports();
        return (ports.max() - ports.min() + 1) / 2;
    }

    /** A request a SIP listener received. */
    public void requestReceived(String method, String transport) {
        count2("sipshield.sip.requests", "SIP requests received", "method", METHODS.contains(method) ? method : "other",
                "transport", transport(transport));
    }

    /** A response a far end sent us (to a request the B2BUA relayed or placed). */
    public void responseReceived(int code, String transport) {
        count2("sipshield.sip.responses", "SIP responses received", "code",
                code >= 100 && code <= 699 ? Integer.toString(code) : "other", "transport", transport(transport));
    }

    /**
     * One TLS handshake of the SIP listener or of a connection we opened: result "ok" with the
     * negotiated suite (an IANA name from the suites we enable: a small set), or "failed" with "none".
     */
    public void tlsHandshake(String result, String suite) {
        boolean ok = "ok".equals(result);
        String label = !ok ? "none" : suite != null && suite.matches("[A-Z0-9_]{1,80}") ? suite : "other";
        count2("sipshield.tls.handshakes", "TLS handshakes on SIP connections by result and cipher suite", "result",
                ok ? "ok" : "failed", "suite", label);
    }

    /** One digest verdict, by the digest module's reason token (ok, stale-nonce, bad-credentials...) or blocked. */
    public void digestOutcome(String outcome) {
        count("sipshield.digest.outcomes", "digest authentication verdicts", "outcome", outcome);
    }

    private static String transport(String transport) {
        String upper = transport == null ? "" : transport.toUpperCase(java.util.Locale.ROOT);
        return TRANSPORTS.contains(upper) ? upper : "other";
    }

    private void count(String name, String description, String tag, String value) {
        counters.computeIfAbsent(name + '\0' + value, key -> Counter.builder(name).description(description)
                .tag(tag, value).register(registry)).increment();
    }

    private void count2(String name, String description, String tag1, String value1, String tag2, String value2) {
        counters.computeIfAbsent(name + '\0' + value1 + '\0' + value2, key -> Counter.builder(name)
                .description(description).tag(tag1, value1).tag(tag2, value2).register(registry)).increment();
    }

    /**
     * A call's final answer to its caller: calls by result, per trunk (each side that is a trunk)
     * and the setup time (the caller's INVITE to that answer) as a histogram by result.
     */
    public void callDecided(int status, String trunkIn, String trunkOut, long setupNanos) {
        String result = CallResults.resultOf(status);
        setupTimers.computeIfAbsent(result, r -> Timer.builder("sipshield.call.setup")
                .description("from the caller's INVITE to the final answer relayed to it, by result")
                .tag("result", r)
                .serviceLevelObjectives(SETUP_BUCKETS)
                .register(registry)).record(setupNanos, TimeUnit.NANOSECONDS);
        if (trunkIn != null) {
            countTrunkCall(trunkIn, "in", result);
        }
        if (trunkOut != null) {
            countTrunkCall(trunkOut, "out", result);
        }
        // last: a scrape that sees the call counted sees its setup time and trunk counts too
        count("sipshield.calls", "calls by result: answered, or how they failed (cancelled, busy, failed)", "result", result);
    }

    private void countTrunkCall(String trunk, String direction, String result) {
        counters.computeIfAbsent("sipshield.trunk.calls\0" + trunk + '\0' + direction + '\0' + result,
                key -> Counter.builder("sipshield.trunk.calls").description("calls per trunk, direction and result")
                        .tag("trunk", trunk).tag("direction", direction).tag("result", result).register(registry)).increment();
    }

    /** Where sipshield_trunk_calls_active reads the calls per trunk, at each scrape. */
    public void trunkCalls(Supplier<List<CallOutcomes.TrunkCalls>> source) {
        trunkCalls = source;
    }

    /**
     * Where sipshield_certificate_expiry_timestamp_seconds reads the certificates at each scrape, by
     * name: an identity ("sip", "https") or a trust-store entry ("sip-trust/ID"), names the operator made.
     */
    public void certificates(Supplier<Map<String, X509Certificate>> source) {
        certificates = source;
    }

    private List<MultiGauge.Row<?>> certificateRows() {
        try {
            return certificates.get().entrySet().stream().<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(
                    Tags.of("name", e.getKey()), e.getValue().getNotAfter().toInstant().getEpochSecond())).toList();
        } catch (RuntimeException e) { // an unreadable file: the check-config and expiry monitor name it; no rows meanwhile
            return List.of();
        }
    }

    /** Where sipshield_trunk_destination_up reads the trunks' destinations from, at each scrape. */
    public void trunkDestinations(Supplier<List<DestinationUp>> source) {
        destinations = source;
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public synchronized String scrape() {
        trunkCallsActive.register(trunkCalls.get().stream().map(c -> MultiGauge.Row.of(
                Tags.of("trunk", c.trunk(), "direction", c.direction()), c.active())).toList(), true);
        certificateExpiry.register(certificateRows(), true);
        destinationsUp.register(destinations.get().stream().map(d -> MultiGauge.Row.of(
                Tags.of("trunk", d.trunk(), "destination", Integer.toString(d.position())), d.up() ? 1 : 0)).toList(), true);
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        securityEvents.close();
        gc.close();
        registry.close();
    }
}
