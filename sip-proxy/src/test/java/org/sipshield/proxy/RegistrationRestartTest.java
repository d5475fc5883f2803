package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/** A phone registered before a restart is reachable after it without registering again. */
class RegistrationRestartTest {
    static final String CARRIER = "127.0.0.2";

    @TempDir
    Path dataDirectory;

    @Test
    void aPhoneRegisteredBeforeARestartReceivesCallsAfterIt() throws Exception {
        String model = B2buaCallTest.model();
        int sipPort = FreePorts.udpAndTcp();
        int tlsPort = FreePorts.udpAndTcp();
        int phonePort = FreePorts.udpAndTcp();

        try (RunningProxy before = new RunningProxy(dataDirectory, model, sipPort, tlsPort)) {
            ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                    "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort, "expect", "200"),
                    "udp", "127.0.0.1", "127.0.0.1", before.sipPort);
            assertEquals(0, register.exitCode(), register.output());
        }
        assertTrue(Files.isRegularFile(dataDirectory.resolve("sipshield.db")));

        try (RunningProxy after = new RunningProxy(dataDirectory, model, sipPort, tlsPort);
                Sipp.Server phone = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.1", phonePort)) {
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "2001"),
                    "udp", CARRIER, "127.0.0.1", after.sipPort);
            ProcessOutput atPhone = phone.finish();
            assertEquals(0, call.exitCode(), call.output() + "\nphone:\n" + atPhone.output());
            assertEquals(0, atPhone.exitCode(), atPhone.output());
            assertTrue(atPhone.output().contains("INVITE sip:2001@127.0.0.1:" + phonePort), atPhone.output());
        }
    }
}
