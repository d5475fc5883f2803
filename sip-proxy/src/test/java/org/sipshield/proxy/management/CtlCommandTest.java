package org.sipshield.proxy.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.cli.Main;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.hostile.SecurityLog;

/**
 * {@code sipshield ctl} against a real proxy, as an operator runs it: the configuration file
 * names the listener and the certificate to trust, the token comes from a file. With the wrong
 * token it changes nothing and says so; with the right one it reads and changes the proxy.
 */
class CtlCommandTest {
    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static Path configFile;
    static Path tokenFile;
    static Path wrongTokenFile;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        ProxyFixture fixture = new ProxyFixture().management().carrierAndPbx("127.0.0.2", 5060, "127.0.0.3", 5062);
        String extra = fixture.extraYaml();
        proxy = fixture.start(dataDirectory);
        configFile = dataDirectory.resolve("sipshield.yaml");
        Files.writeString(configFile, proxy.yaml(extra));
        proxy.server.configFile(configFile);
        tokenFile = dataDirectory.resolve("token");
        Files.writeString(tokenFile, new AdminToken(dataDirectory).rotate() + "\n");
        wrongTokenFile = dataDirectory.resolve("wrong-token");
        Files.writeString(wrongTokenFile, "c2lwc2hpZWxkLWd1ZXNzZWQtdG9rZW4tMDAwMDAwMDA\n");
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    static Run ctl(Path token, String... command) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[command.length + 5];
        args[0] = "ctl";
        args[1] = "--config";
        args[2] = configFile.toString();
        args[3] = "--token-file";
        args[4] = token.toString();
        System.arraycopy(command, 0, args, 5, command.length);
        int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theWrongTokenChangesNothing() {
        try (SecurityLog log = new SecurityLog()) {
            Run refused = ctl(wrongTokenFile, "block", "127.0.0.77", "600");
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().startsWith("401"), refused.toString());
            assertTrue(log.lines("admin-action").isEmpty(), log.lines("").toString());
        }
        Run list = ctl(tokenFile, "blocked");
        assertEquals(0, list.exit(), list.toString());
        assertFalse(list.out().contains("127.0.0.77"), list.out());
    }

    @Test
    void ctlListsTrunksBlocksUnblocksReloadsAndRefusesAnUnknownCallOrABlockWithoutDuration() {
        Run trunks = ctl(tokenFile, "trunks");
        assertEquals(0, trunks.exit(), trunks.toString());
        assertTrue(trunks.out().contains("\"carrier\"") && trunks.out().contains("127.0.0.3:5062"), trunks.out());

        Run block = ctl(tokenFile, "block", "127.0.0.78", "600");
        assertEquals(0, block.exit(), block.toString());
        assertTrue(block.out().startsWith("201"), block.out());
        assertTrue(ctl(tokenFile, "blocked").out().contains("127.0.0.78"));
        Run unblock = ctl(tokenFile, "unblock", "127.0.0.78");
        assertEquals(0, unblock.exit(), unblock.toString());
        assertFalse(ctl(tokenFile, "blocked").out().contains("127.0.0.78"));
        // both changes are among the recent security events, the unblock first (newest first)
        Run events = ctl(tokenFile, "events");
        assertEquals(0, events.exit(), events.toString());
        int unblocked = events.out().indexOf("action=unblock source=127.0.0.78");
        int blocked = events.out().indexOf("action=block source=127.0.0.78 seconds=600");
        assertTrue(unblocked >= 0 && blocked > unblocked, events.out());

        Run certificates = ctl(tokenFile, "certs");
        assertTrue(certificates.out().contains("daysToExpiry"), certificates.toString());
        Run reload = ctl(tokenFile, "reload");
        assertEquals(0, reload.exit(), reload.toString());
        assertTrue(reload.out().contains("\"applied\" : true"), reload.out());
        assertEquals(1, ctl(tokenFile, "hangup", "999999").exit(), "no such call: 404");
        assertEquals(2, ctl(tokenFile, "block", "127.0.0.79").exit(), "a block needs its duration");
    }

    @Test
    void aReloadMovingASipListenerIsRefusedNamingItAndTheProxyServesOn() throws Exception {
        String running = Files.readString(configFile);
        int moved = FreePorts.udpAndTcp();
        try {
            Files.writeString(configFile, running.replace("port: " + proxy.tlsPort + "}", "port: " + moved + "}"));
            Run refused = ctl(tokenFile, "reload");
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(refused.err().startsWith("422") && refused.err().contains("\"applied\" : false")
                    && refused.err().contains("TLS 127.0.0.1:" + moved + "] changes only with a restart"), refused.toString());
        } finally {
            Files.writeString(configFile, running);
        }
        String tls = org.sipshield.proxy.peers.OpenSslClient.exchange("127.0.0.1", proxy.tlsPort,
                org.sipshield.proxy.peers.OpenSslClient.optionsRequest("127.0.0.1", proxy.tlsPort));
        assertTrue(tls.contains("SIP/2.0 200"), "the TLS listener serves where it was:\n" + tls);
    }
}
