package org.sipshield.proxy.load;

import java.nio.file.Path;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.peers.OptionsProber;

/**
 * A proxy under load, as every load test runs one: its data directory in memory, its log watched
 * for problems, and a health checker pinging it with OPTIONS from another address throughout
 * (answered once before the load starts, so the pings cover all of it).
 */
final class LoadRun implements AutoCloseable {
    final MemoryDirectory data;
    final RunningProxy proxy;
    final ProxyLog log;
    final OptionsProber prober;

    /**
     * The configuration every load starts from: all phones are sipp on 127.0.0.1, one source, so
     * the per-source request limit (made for one phone or one trunk) is lifted far above the load.
     */
    static ProxyFixture fixture() {
        return new ProxyFixture().yaml("""
                security:
                  requestsPerSecondPerSource: 100000
                  requestBurstPerSource: 1000000
                """);
    }

    LoadRun(Path dataDirectory, ProxyFixture fixture, String proberAddress) throws Exception {
        data = new MemoryDirectory(dataDirectory);
        RunningProxy started = null;
        ProxyLog watching = null;
        OptionsProber probing = null;
        try {
            started = fixture.start(data.path());
            watching = new ProxyLog();
            probing = new OptionsProber(proberAddress, "127.0.0.1", started.sipPort, 50);
            RegistrationLoadTest.awaitFirstAnswer(probing);
        } catch (Exception | Error e) {
            try (MemoryDirectory d = data; RunningProxy p = started; ProxyLog l = watching; OptionsProber o = probing) {
                throw e;
            }
        }
        proxy = started;
        log = watching;
        prober = probing;
    }

    /** The proxy's SIP address as sipp's last argument names it. */
    String target() {
        return "127.0.0.1:" + proxy.sipPort;
    }

    @Override
    public void close() throws Exception {
        try (MemoryDirectory d = data; RunningProxy p = proxy; ProxyLog l = log; OptionsProber o = prober) {
            // closed in reverse order: the prober, the log, the proxy, then the data directory
        }
    }
}
