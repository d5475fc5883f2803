package org.sipshield.proxy;

import java.nio.file.Path;
import org.sipshield.config.ConfigLoader;
import org.sipshield.config.SipShieldConfig;
import org.sipshield.proxy.peers.FreePorts;

/** A real proxy started in this JVM on free loopback ports, with its own data directory. */
public final class RunningProxy implements AutoCloseable {
    public final int sipPort;
    public final int tlsPort;
    public final SipShieldServer server;

    public RunningProxy(Path dataDirectory) throws Exception {
        this(dataDirectory, "");
    }

    /** extraYaml is appended to the generated configuration (further top-level sections). */
    public RunningProxy(Path dataDirectory, String extraYaml) throws Exception {
        sipPort = FreePorts.udpAndTcp();
        tlsPort = FreePorts.udpAndTcp();
        String yaml = "server:\n"
                + "  hostName: 127.0.0.1\n"
                + "  dataDirectory: " + dataDirectory + "\n"
                + "listeners:\n"
                + "  - {transport: UDP, address: 127.0.0.1, port: " + sipPort + "}\n"
                + "  - {transport: TCP, address: 127.0.0.1, port: " + sipPort + "}\n"
                + "  - {transport: TLS, address: 127.0.0.1, port: " + tlsPort + "}\n"
                + extraYaml;
        SipShieldConfig config = ConfigLoader.parse(yaml, "test.yaml");
        server = new SipShieldServer(config);
        server.start();
    }

    @Override
    public void close() {
        server.close();
    }
}
