package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * server.logFormat: JSON on the packaged proxy, as an operator runs it: a digest-authenticated SRTP
 * call goes through, and everything the process wrote, from its first line to its stop, is one JSON
 * object a line, without the call's secrets, its INVITE's line naming the caller's Call-ID.
 */
class JsonLogIT {
    @TempDir
    Path workingDirectory;

    @Test
    void everyLineOfARunWithACallIsJson() throws Exception {
        int port = FreePorts.udpAndTcp();
        DigestSrtpCall srtpCall = new DigestSrtpCall();
        Path file = workingDirectory.resolve("sipshield.yaml");
        Files.writeString(file, """
                server: {dataDirectory: data, hostName: 127.0.0.1, logFormat: JSON}
                listeners:
                  - {transport: UDP, address: 127.0.0.1, port: %d}
                """.formatted(port) + srtpCall.proxy().extraYaml().replace("${sipPort}", "" + port));
        ProcessOutput call;
        String log;
        try (PackagedProxy proxy = new PackagedProxy(workingDirectory, "--config", file.toString())) {
            try (Sipp.Server pbx = srtpCall.pbx()) {
                call = srtpCall.callTo(port, 300);
                ProcessOutput atPbx = pbx.finish();
                assertEquals(0, call.exitCode(), call.output() + "\npbx:\n" + atPbx.output() + "\nproxy:\n" + proxy.log());
            }
            proxy.awaitLog("ended after", 30);
            proxy.signal("TERM");
            proxy.awaitExit(60);
            log = proxy.log();
        }
        LogRedactionCallTest.assertJsonLinesOfTheCall(log, call.output(),
                LogRedactionCallTest.secrets(call.output(), srtpCall.callerKey, srtpCall.ha1));
    }
}
