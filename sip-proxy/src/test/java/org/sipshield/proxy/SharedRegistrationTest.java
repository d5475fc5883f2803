package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.ThrowAwayPostgres;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * Two nodes sharing one PostgreSQL (database.url): a phone registered through node A is called
 * through node B, which learnt the binding from A's commit; a REGISTER that fails digest at A
 * changes nothing any node routes to.
 */
class SharedRegistrationTest {
    static final String CARRIER = "127.0.0.2";
    static ThrowAwayPostgres postgres;

    @TempDir
    Path nodeA;
    @TempDir
    Path nodeB;

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
    void aPhoneRegisteredThroughNodeAIsCalledThroughNodeB() throws Exception {
        String model = B2buaCallTest.model() + postgres.yaml();
        int phonePort = FreePorts.udpAndTcp();
        try (RunningProxy a = RunningProxy.withServerKeys(nodeA, "nodeName: node-a", model);
                RunningProxy b = RunningProxy.withServerKeys(nodeB, "nodeName: node-b", model)) {
            ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                    "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort, "expect", "200"),
                    "udp", "127.0.0.1", "127.0.0.1", a.sipPort);
            assertEquals(0, register.exitCode(), register.output());
            assertEquals(List.of("node-a 2001"), storedLines());
            awaitTrue(() -> b.server.activeBindings() == 1, "node B never learnt node A's binding");

            // an attacker without alice's password tries to point her number at itself through A
            int attackerPort = FreePorts.udpAndTcp();
            ProcessOutput hijack = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                    "password", "guess", "contact", "sip:2001@127.0.0.1:" + attackerPort, "expect", "401"),
                    "udp", "127.0.0.1", "127.0.0.1", a.sipPort);
            assertEquals(0, hijack.exitCode(), hijack.output());
            assertEquals(List.of("node-a 2001"), storedLines());
            assertFalse(storedContacts().contains("sip:2001@127.0.0.1:" + attackerPort), storedContacts().toString());

            try (Sipp.Server phone = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.1", phonePort)) {
                ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "2001"),
                        "udp", CARRIER, "127.0.0.1", b.sipPort);
                ProcessOutput atPhone = phone.finish();
                assertEquals(0, call.exitCode(), call.output() + "\nphone:\n" + atPhone.output());
                assertEquals(0, atPhone.exitCode(), atPhone.output());
                assertTrue(atPhone.output().contains("INVITE sip:2001@127.0.0.1:" + phonePort), atPhone.output());
            }

            // alice unregisters through B: A forgets her too
            ProcessOutput unregister = Sipp.client("unregister.xml", Map.of("dn", "2001", "user", "alice",
                    "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort,
                    "expect", "200"), "udp", "127.0.0.1", "127.0.0.1", b.sipPort);
            assertEquals(0, unregister.exitCode(), unregister.output());
            assertEquals(List.of(), storedLines());
            awaitTrue(() -> a.server.activeBindings() == 0, "node A still holds the binding B removed");
        }
    }

    /**
     * A TCP phone's connection is held by the node it registered through: node B knows the binding
     * (and that node A holds it) but does not open a connection of its own to the phone's Contact,
     * where the phone does not listen (and where, behind NAT, anyone might): the caller gets 480 and
     * B says why.
     */
    @Test
    void aTcpPhoneRegisteredThroughNodeAIsNotDialledFromNodeBOnANewConnection() throws Exception {
        String model = B2buaCallTest.model() + postgres.yaml();
        try (RunningProxy a = RunningProxy.withServerKeys(nodeA, "nodeName: node-a", model);
                RunningProxy b = RunningProxy.withServerKeys(nodeB, "nodeName: node-b", model);
                java.net.ServerSocket phoneContact = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
                SecurityLog security = new SecurityLog()) {
            int phonePort = phoneContact.getLocalPort();
            ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                    "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort + ";transport=tcp",
                    "expect", "200"), "tcp", "127.0.0.1", "127.0.0.1", a.sipPort);
            assertEquals(0, register.exitCode(), register.output());
            assertEquals(List.of("node-a TCP " + a.sipPort), column("node_name || ' ' || transport || ' ' || local_port"));
            awaitTrue(() -> b.server.activeBindings() == 1, "node B never learnt node A's binding");

            ProcessOutput call = Sipp.client("uac-invite-expect.xml", Map.of("caller", "5550100", "called", "2001",
                    "answer", "480"), "udp", CARRIER, "127.0.0.1", b.sipPort);
            assertEquals(0, call.exitCode(), call.output());
            assertEquals(1, security.lines("SECURITY registered-on-other-node number=2001 node=node-a reason=\"no trunk reaches that node").size(),
                    security.lines("SECURITY").toString());
            phoneContact.setSoTimeout(1); // B answered 480 after deciding: any connection it made is queued already
            assertThrows(java.net.SocketTimeoutException.class, phoneContact::accept,
                    "node B opened a connection to the phone's Contact");
        } finally {
            execute("DELETE FROM registration_binding"); // the other tests start from no binding
        }
    }

    @Test
    void aNodeThatLostItsListeningConnectionReloadsWhatItMissed() throws Exception {
        String model = B2buaCallTest.model() + postgres.yaml();
        int phonePort = FreePorts.udpAndTcp();
        try (org.sipshield.proxy.hostile.SecurityLog storeLog = new org.sipshield.proxy.hostile.SecurityLog(
                org.sipshield.proxy.registrar.PostgresRegistrationStore.class.getName());
                RunningProxy b = RunningProxy.withServerKeys(nodeB, "nodeName: node-b", model)) {
            // B loads every binding once it listens: what is inserted before that load would be in it
            awaitTrue(() -> !storeLog.lines("following other nodes' registrations (").isEmpty(),
                    "node B never started following other nodes");
            try {
                // a commit whose notification B never hears, as if sent while B's connection was down
                long now = System.currentTimeMillis();
                execute("INSERT INTO registration_binding (device_name, address_of_record, contact_uri, source_address,"
                        + " source_port, transport, call_id, cseq, registered_at, expires_at, node_name) VALUES"
                        + " ('SEPALICE00001', '2001', 'sip:2001@127.0.0.1:" + phonePort + "', '127.0.0.1', " + phonePort
                        + ", 'UDP', 'missed@node-a', 1, " + now + ", " + (now + 600_000) + ", 'node-a')");
                assertEquals(0, b.server.activeBindings());

                execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE application_name = 'sipshield node-b listener'");
                awaitTrue(() -> b.server.activeBindings() == 1, "node B did not reload after reconnecting");

                try (Sipp.Server phone = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.1", phonePort)) {
                    ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "2001"),
                            "udp", CARRIER, "127.0.0.1", b.sipPort);
                    ProcessOutput atPhone = phone.finish();
                    assertEquals(0, call.exitCode(), call.output() + "\nphone:\n" + atPhone.output());
                    assertTrue(atPhone.output().contains("INVITE sip:2001@127.0.0.1:" + phonePort), atPhone.output());
                }
            } finally {
                execute("DELETE FROM registration_binding");
            }
        }
    }

    @Test
    void withPostgresDownARegisterGets503WithRetryAfterAndKnownPhonesAreStillCalled() throws Exception {
        String model = B2buaCallTest.model() + postgres.yaml();
        int phonePort = FreePorts.udpAndTcp();
        try (RunningProxy a = RunningProxy.withServerKeys(nodeA, "nodeName: node-a", model)) {
            ProcessOutput register = Sipp.client("register.xml", Map.of("dn", "2001", "user", "alice",
                    "password", "alice-secret", "contact", "sip:2001@127.0.0.1:" + phonePort, "expect", "200"),
                    "udp", "127.0.0.1", "127.0.0.1", a.sipPort);
            assertEquals(0, register.exitCode(), register.output());

            postgres.stopServer();
            try (UdpSipClient phone = new UdpSipClient("127.0.0.1", "127.0.0.1", a.sipPort)) {
                String challenge = phone.exchange(ClusterCountersTest.register(phone, "pg-down-1", null));
                phone.send(ClusterCountersTest.register(phone, "pg-down-2", ClusterCountersTest.answer(challenge)));
                String answer = phone.receiveFinal();
                // the pool waits up to 5 s for a connection before the commit fails: a few more reads
                for (int i = 0; i < 5 && answer.startsWith("(no answer"); i++) {
                    answer = phone.receiveFinal();
                }
                assertTrue(answer.startsWith("SIP/2.0 503"), answer);
                assertEquals("30", UdpSipClient.header(answer, "Retry-After").split(";")[0].trim(), answer);
            }

            try (Sipp.Server atPhone = Sipp.server("uas-call.xml", Map.of(), "udp", "127.0.0.1", phonePort)) {
                ProcessOutput call = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", "2001"),
                        "udp", CARRIER, "127.0.0.1", a.sipPort);
                ProcessOutput received = atPhone.finish();
                assertEquals(0, call.exitCode(), call.output() + "\nphone:\n" + received.output());
                assertTrue(received.output().contains("INVITE sip:2001@127.0.0.1:" + phonePort), received.output());
            }
        } finally {
            postgres.startServer();
            execute("DELETE FROM registration_binding");
        }
    }

    private static void execute(String sql) throws Exception {
        try (Connection connection = postgres.connect(); var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** "node line" of every stored binding. */
    private static List<String> storedLines() throws Exception {
        return column("node_name || ' ' || address_of_record");
    }

    private static List<String> storedContacts() throws Exception {
        return column("contact_uri");
    }

    private static List<String> column(String expression) throws Exception {
        try (Connection connection = postgres.connect();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT " + expression + " FROM registration_binding ORDER BY 1");
                ResultSet rows = select.executeQuery()) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }

    /** Waits for another node's notification to arrive; the bound only keeps a lost one from hanging the build. */
    private static void awaitTrue(BooleanSupplier condition, String failure) throws InterruptedException {
        for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), failure);
    }
}
