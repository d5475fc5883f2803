package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.ThrowAwayPostgres;

/**
 * {@link RegistrationDurabilityIT} with the bindings in PostgreSQL: the packaged proxy, node A of a
 * cluster, is killed with -9 during a burst of 1,000 REGISTERs, and every line sipp saw a 200 for
 * is in the shared database, recorded as held by that node. The grouped commit a 200 waits for is
 * a PostgreSQL commit here. Then node B starts on the same database and a carrier's call through
 * it reaches a phone that registered through A.
 */
class PostgresRegistrationDurabilityIT {
    static final int PHONES = 1000;
    static ThrowAwayPostgres postgres;

    @TempDir
    Path workingDirectory;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = ThrowAwayPostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyRegistrationAnswered200BeforeAKillIsInPostgresql() throws Exception {
        int port = FreePorts.udpAndTcp();
        int phonesPort = FreePorts.udpAndTcp();
        Path config = RegistrationDurabilityIT.writePhones(workingDirectory, PHONES, port, ", nodeName: node-a",
                postgres.yaml());

        String sippOutput;
        try (PackagedProxy proxy = new PackagedProxy(workingDirectory, "--config", config.toString())) {
            Process sipp = RegistrationDurabilityIT.startRegistering(workingDirectory, PHONES, port, phonesPort);
            proxy.awaitLog("registered SEP000000000150 ", 120);
            proxy.signal("KILL");
            assertTrue(sipp.waitFor(180, TimeUnit.SECONDS), "sipp did not end");
            sippOutput = Files.readString(workingDirectory.resolve("sipp.out"), StandardCharsets.ISO_8859_1);
        }

        long answered200 = RegistrationDurabilityIT.successfulCalls(sippOutput);
        assertTrue(answered200 > 0, "no registration was answered before the kill?\n" + sippOutput);
        assertTrue(answered200 < PHONES, "the proxy was killed mid-run, yet every phone registered?\n" + sippOutput);
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
                ResultSet counts = statement.executeQuery("SELECT count(DISTINCT address_of_record), count(*),"
                        + " count(*) FILTER (WHERE node_name = 'node-a') FROM registration_binding")) {
            assertTrue(counts.next());
            long lines = counts.getLong(1);
            assertTrue(lines >= answered200, "sipp saw " + answered200 + " registrations answered 200, PostgreSQL"
                    + " holds " + lines + " lines after kill -9");
            assertEquals(lines, counts.getLong(2), "one binding per line");
            assertEquals(lines, counts.getLong(3), "every binding names the node that holds it");
        }

        // node B, on the same database, serves calls to the phones A registered (UDP: from any node)
        int portB = FreePorts.udpAndTcp();
        Path nodeB = Files.createDirectories(workingDirectory.resolve("node-b"));
        Path configB = RegistrationDurabilityIT.writePhones(nodeB, PHONES, portB, ", nodeName: node-b", postgres.yaml() + """
                sipTrunkSecurityProfiles:
                  - {name: carrier, incomingTransportType: TCP+UDP, outgoingTransportType: UDP, incomingPort: %d}
                sipTrunks:
                  - {name: carrier, securityProfile: carrier, destinations: ["127.0.0.2:5060"]}
                """.formatted(portB));
        try (PackagedProxy b = new PackagedProxy(nodeB, "--config", configB.toString());
                Sipp.Server phone = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.1", phonesPort)) {
            b.awaitLog("following other nodes' registrations", 60);
            ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "30000"), "udp",
                    "127.0.0.2", "127.0.0.1", portB);
            assertEquals(0, call.exitCode(), "a call through node B to a phone registered through A\n" + call.output());
            ProcessOutput answered = phone.finish();
            assertEquals(0, answered.exitCode(), answered.output());
        }
    }
}
