package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * A real proxy started in this JVM on free loopback ports, with its own data directory. A test
 * whose configuration is more than a few lines of YAML describes it with {@link ProxyFixture}.
 */
public final class RunningProxy implements AutoCloseable {
    public final int sipPort;
    public final int tlsPort;
    /** The HTTPS management port, when {@link ProxyFixture#management} asked for one; else 0. */
    public final int managementPort;
    public final SipShieldServer server;
    private final Path dataDirectory;
    /** The loopback address every listener binds (nodes of a cluster on one machine each have their own). */
    public final String address;
    /** Further keys of the server section (e.g. "shutdownDrainSeconds: 5"), one per line. */
    private final String serverKeys;

    public RunningProxy(Path dataDirectory) throws Exception {
        this(dataDirectory, "");
    }

    /**
     * extraYaml is appended to the generated configuration (further top-level sections); in it,
     * ${sipPort} and ${tlsPort} stand for the listeners' ports.
     */
    public RunningProxy(Path dataDirectory, String extraYaml) throws Exception {
        this(dataDirectory, extraYaml, FreePorts.udpAndTcp(), FreePorts.udpAndTcp());
    }

    /** A proxy on given ports, e.g. the same ones again after a restart. */
    public RunningProxy(Path dataDirectory, String extraYaml, int sipPort, int tlsPort) throws Exception {
        this(dataDirectory, extraYaml, sipPort, tlsPort, java.time.Clock.systemUTC());
    }

    /** A proxy whose clock the test moves (nonce validity, brute-force windows, registration expiry). */
    public RunningProxy(Path dataDirectory, String extraYaml, java.time.Clock clock) throws Exception {
        this(dataDirectory, extraYaml, FreePorts.udpAndTcp(), FreePorts.udpAndTcp(), clock);
    }

    public RunningProxy(Path dataDirectory, String extraYaml, int sipPort, int tlsPort, java.time.Clock clock)
            throws Exception {
        this(dataDirectory, "", extraYaml, sipPort, tlsPort, clock, 0);
    }

    RunningProxy(Path dataDirectory, String serverKeys, String extraYaml, int sipPort, int tlsPort,
            java.time.Clock clock, int managementPort) throws Exception {
        this(dataDirectory, "127.0.0.1", serverKeys, extraYaml, sipPort, tlsPort, clock, managementPort);
    }

    private RunningProxy(Path dataDirectory, String address, String serverKeys, String extraYaml, int sipPort,
            int tlsPort, java.time.Clock clock, int managementPort) throws Exception {
        this.address = address;
        this.sipPort = sipPort;
        this.tlsPort = tlsPort;
        this.managementPort = managementPort;
        this.dataDirectory = dataDirectory;
        this.serverKeys = serverKeys;
        server = new SipShieldServer(config(extraYaml), clock);
        server.start();
    }

    /** A proxy whose server section has further keys (serverKeys: "key: value" lines), e.g. a short drain. */
    public static RunningProxy withServerKeys(Path dataDirectory, String serverKeys, String extraYaml) throws Exception {
        return new ProxyFixture().serverKeys(serverKeys).yaml(extraYaml).start(dataDirectory);
    }

    /** A proxy listening on another loopback address (127.0.0.0/8), as one node of a cluster on this machine. */
    public static RunningProxy onAddress(Path dataDirectory, String address, String serverKeys, String extraYaml)
            throws Exception {
        return new RunningProxy(dataDirectory, address, serverKeys, extraYaml, FreePorts.udpAndTcp(),
                FreePorts.udpAndTcp(), java.time.Clock.systemUTC(), 0);
    }

    /** As {@link #onAddress}, on ports chosen beforehand: nodes whose configurations name each other's listeners. */
    public static RunningProxy onAddress(Path dataDirectory, String address, int sipPort, int tlsPort, String serverKeys,
            String extraYaml) throws Exception {
        return new RunningProxy(dataDirectory, address, serverKeys, extraYaml, sipPort, tlsPort, java.time.Clock.systemUTC(), 0);
    }

    /** Reloads the running proxy with another extraYaml (same listeners and data directory), as SIGHUP would. */
    public void reload(String extraYaml) throws Exception {
        server.reload(config(extraYaml));
    }

    private SipShieldConfig config(String extraYaml) throws Exception {
        return ConfigLoader.parse(yaml(extraYaml), "test.yaml");
    }

    /** The configuration text this proxy runs on with extraYaml (to write a file for SIGHUP or the API's reload). */
    public String yaml(String extraYaml) {
        extraYaml = extraYaml.replace("${sipPort}", Integer.toString(sipPort)).replace("${tlsPort}", Integer.toString(tlsPort));
        String yaml = "server:\n"
                + "  hostName: " + address + "\n"
                + "  dataDirectory: " + dataDirectory + "\n"
                + serverKeys.lines().map(line -> "  " + line + "\n").collect(java.util.stream.Collectors.joining())
                + "listeners:\n"
                + "  - {transport: UDP, address: " + address + ", port: " + sipPort + "}\n"
                + "  - {transport: TCP, address: " + address + ", port: " + sipPort + "}\n"
                + "  - {transport: TLS, address: " + address + ", port: " + tlsPort + "}\n"
                // sipp's UAS scenarios take an OPTIONS ping for an unexpected call: pings only where a test sets them
                + (extraYaml.contains("sipTrunkDefaults:") ? "" : "sipTrunkDefaults: {optionsPingIntervalSeconds: 0}\n")
                // the relay's warm-up (media.warmUp) takes CPU at every start: a test that sets a media
                // section runs it as production does, the others (most, which carry no media) skip it
                + (extraYaml.contains("media:") ? "" : "media: {warmUp: false}\n")
                + extraYaml;
        return yaml;
    }

    /** One sipp call of the scenario over UDP from fromIp to this proxy; exit code 0 means it passed. */
    public ProcessOutput sippCall(String scenario, Map<String, String> variables, String fromIp, String... extra) {
        return Sipp.client(scenario, variables, "udp", fromIp, "127.0.0.1", sipPort, extra);
    }

    /** The same call started without waiting for it, so the test acts while it is up. */
    public Sipp.Server startSippCall(String scenario, Map<String, String> variables, String fromIp) {
        return Sipp.startClient(scenario, variables, "udp", fromIp, "127.0.0.1", sipPort);
    }

    /** Waits (bounded, so a broken proxy fails rather than hangs) until this many calls are up. */
    public void awaitActiveCalls(int calls) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (server.activeCalls() < calls && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(calls, server.activeCalls(), "calls up");
    }

    @Override
    public void close() {
        server.close();
    }
}
