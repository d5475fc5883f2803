package org.sipshield.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which changes a running proxy refuses on reload: each restart-only key named, the others not. */
class RestartRequiredTest {
    private static final String BASE = """
            server: {hostName: sbc.example.net, nodeName: node-a, dataDirectory: /var/lib/sipshield, stallWarningSeconds: 10}
            listeners:
              - {transport: UDP, address: 127.0.0.1, port: 5060}
            management: {address: 127.0.0.1, port: 9443}
            media: {address: 127.0.0.1, portMin: 20000, portMax: 29999}
            """;

    private static List<String> changed(String from, String to) throws ConfigException {
        return RestartRequired.changedKeys(ConfigLoader.parse(from, "running.yaml"), ConfigLoader.parse(to, "next.yaml"));
    }

    @Test
    void eachKeyThatNeedsARestartIsNamedWithBothValues() throws ConfigException {
        String next = BASE.replace("sbc.example.net", "sbc2.example.net").replace("node-a", "node-b")
                .replace("stallWarningSeconds: 10", "stallWarningSeconds: 20").replace("port: 9443", "port: 9444")
                .replace("{address: 127.0.0.1, portMin", "{address: 127.0.0.2, warmUp: false, realtimePriority: 0, batchWindowMicros: 0, portMin")
                .replace("port: 5060}", "port: 5070}")
                + "database: {url: \"jdbc:postgresql://127.0.0.1/sipshield\", user: sipshield}\n";
        assertEquals(List.of(
                "listeners: [UDP 127.0.0.1:5060] -> [UDP 127.0.0.1:5070] changes only with a restart",
                "server.hostName: sbc.example.net -> sbc2.example.net changes only with a restart",
                "server.nodeName: node-a -> node-b changes only with a restart",
                "server.stallWarningSeconds: 10 -> 20 changes only with a restart",
                "database.url: null -> jdbc:postgresql://127.0.0.1/sipshield changes only with a restart",
                "database.user: null -> sipshield changes only with a restart",
                "management.port: 9443 -> 9444 changes only with a restart",
                "media.address: 127.0.0.1 -> 127.0.0.2 changes only with a restart",
                "media.warmUp: true -> false changes only with a restart",
                "media.realtimePriority: 10 -> 0 changes only with a restart",
                "media.batchWindowMicros: 200 -> 0 changes only with a restart"), changed(BASE, next));
    }

    @Test
    void keysThatApplyOnReloadAreNotNamed() throws ConfigException {
        String next = BASE.replace("portMax: 29999}", "portMax: 29999, mediaTimeout: 5, srtpCiphers: STRONGEST}")
                + "registrar: {minExpires: 120}\n"
                + "security: {requestsPerSecondPerSource: 5, digestFailureLimit: 2}\n"
                + "tls: {tlsCiphers: all-ciphers-ecdsa-preferred, tls13: false}\n";
        assertEquals(List.of(), changed(BASE, next));
        assertEquals(List.of(), changed(BASE, BASE));
    }
}
