package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * Presence subscriptions through the B2BUA as two dialogs, with sipp on both sides: a watcher
 * behind one trunk (127.0.0.2) subscribes to a presence server behind another (127.0.0.3); the
 * server's NOTIFYs, the watcher's un-SUBSCRIBE and the final NOTIFY cross in-dialog, and the
 * dialog is gone after Subscription-State: terminated or once its expiry has passed (481). A third
 * trunk (127.0.0.4) that learnt the leg's Call-ID and tags forges a NOTIFY and is refused. An
 * out-of-dialog REFER's implicit subscription carries its sipfrag NOTIFYs the same way. A server
 * that challenges the SUBSCRIBE gets it again with the trunk's credentials, and a watcher may CANCEL
 * its SUBSCRIBE while the server has not answered.
 */
class PresenceSubscriptionTest {
    static final String WATCHERS = "127.0.0.2";
    static final String SERVER = "127.0.0.3";
    static final String OTHER_CARRIER = "127.0.0.4";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int serverPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture()
                .trunkProfile("Presence", "acceptPresenceSubscription: true", "acceptOutOfDialogRefer: true")
                .trunk("watchers", "Presence", WATCHERS, 5060)
                .trunk("presence-server", "Presence", SERVER, serverPort)
                .trunk("other-carrier", "Presence", OTHER_CARRIER, 5060)
                .route("8!", "presence-server")
                .yaml("sipRealms:\n  - {realm: presence.example, trunk: presence-server, user: sipshield, "
                        + "digestCredentials: {MD5: " + ProxyFixture.md5Ha1("sipshield", "presence.example", "trunk-secret")
                        + "}}\n")
                .start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void notifiesAndTheUnsubscribeCrossInDialogAndAForgedNotifyIsRefused() throws Exception {
        try (Sipp.Server server = Sipp.server("uas-notify.xml", Map.of("called", "8100", "expires", "60"), "udp", SERVER,
                serverPort);
                Sipp.Server watcher = Sipp.startClient("uac-subscribe.xml", Map.of("caller", "5550100", "called", "8100",
                        "expires", "60", "pause", "8000"), "udp", WATCHERS, "127.0.0.1", proxy.sipPort)) {
            awaitReceived(server, "SIP/2.0 200"); // the watcher answered the first NOTIFY: the subscription is up
            List<String> received = Sipp.tracedMessages(server.messages(), true);
            String subscribe = received.stream().filter(m -> m.startsWith("SUBSCRIBE ")).findFirst().orElseThrow();
            String accepted = Sipp.tracedMessages(server.messages(), false).stream()
                    .filter(m -> m.startsWith("SIP/2.0 200")).findFirst().orElseThrow();
            String forged;
            try (UdpSipClient attacker = new UdpSipClient(OTHER_CARRIER, "127.0.0.1", proxy.sipPort)) {
                forged = attacker.exchange(forgedNotify(attacker, subscribe, accepted));
            }
            assertTrue(forged.startsWith("SIP/2.0 403"), "a stranger's NOTIFY in the dialog must be refused:\n" + forged);

            ProcessOutput legA = watcher.finish();
            ProcessOutput legB = server.finish();
            assertEquals(0, legB.exitCode(), "the presence server (expects 481 after terminated):\n" + legB.output()
                    + "\nwatcher:\n" + legA.output());
            assertEquals(0, legA.exitCode(), legA.output() + "\nserver:\n" + legB.output());
            List<String> notifies = Sipp.tracedMessages(legA.output(), true).stream()
                    .filter(m -> m.startsWith("NOTIFY ")).distinct().toList();
            assertEquals(2, notifies.size(), legA.output());
            assertTrue(notifies.get(0).contains("Subscription-State: active"), notifies.get(0));
            assertTrue(notifies.get(0).contains("<basic>open</basic>"), notifies.get(0));
            assertTrue(notifies.get(1).contains("Subscription-State: terminated"), notifies.get(1));
            String callIdB = UdpSipClient.header(subscribe.replace("\n", "\r\n"), "Call-ID");
            for (String notify : notifies) {
                assertFalse(notify.contains("forged"), "the forged NOTIFY reached the watcher:\n" + notify);
                assertFalse(notify.contains(callIdB), "leg B's Call-ID leaked to leg A:\n" + notify);
            }
        }
    }

    @Test
    void aSubscriptionWhoseExpiryPassedIsGoneForTheNotifier() {
        try (Sipp.Server server = Sipp.server("uas-notify-expiry.xml", Map.of("called", "8101", "expires", "2",
                "pause", "3000"), "udp", SERVER, serverPort)) {
            ProcessOutput legA = Sipp.client("uac-subscribe-once.xml", Map.of("caller", "5550101", "called", "8101",
                    "expires", "2"), "udp", WATCHERS, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = server.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\nserver:\n" + legB.output());
            assertEquals(0, legB.exitCode(), "a NOTIFY after the expiry must get 481:\n" + legB.output());
        }
    }

    @Test
    void anOutOfDialogRefersSipfragNotifiesCrossUntilTerminated() {
        try (Sipp.Server transferee = Sipp.server("uas-refer.xml", Map.of("called", "8102"), "udp", SERVER, serverPort)) {
            ProcessOutput legA = Sipp.client("uac-refer.xml", Map.of("caller", "5550102", "called", "8102", "target", "8999"),
                    "udp", WATCHERS, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = transferee.finish();
            assertEquals(0, legA.exitCode(), legA.output() + "\ntransferee:\n" + legB.output());
            assertEquals(0, legB.exitCode(), "a NOTIFY after the terminated one must get 481:\n" + legB.output());
            assertTrue(Sipp.tracedMessages(legB.output(), true).stream()
                    .anyMatch(m -> m.startsWith("REFER ") && m.contains("Refer-To: <sip:8999@127.0.0.1:" + proxy.sipPort + ">")),
                    "the Refer-To names us, the only one the transferee reaches:\n" + legB.output());
            List<String> notifies = Sipp.tracedMessages(legA.output(), true).stream()
                    .filter(m -> m.startsWith("NOTIFY ")).distinct().toList();
            assertEquals(2, notifies.size(), legA.output());
            assertTrue(notifies.get(0).contains("Event: refer") && notifies.get(0).contains("SIP/2.0 100 Trying"), notifies.get(0));
            assertTrue(notifies.get(1).contains("terminated") && notifies.get(1).contains("SIP/2.0 200 OK"), notifies.get(1));
            assertTrue(notifies.get(1).contains("message/sipfrag"), notifies.get(1));
        }
    }

    /** A NOTIFY naming leg B's dialog (Call-ID and both tags, as on the wire), from another trunk's address. */
    private static String forgedNotify(UdpSipClient attacker, String subscribe, String accepted) {
        String crlf = "\r\n";
        String sub = subscribe.replace("\n", crlf);
        String callId = UdpSipClient.header(sub, "Call-ID");
        String from = UdpSipClient.header(sub, "From");
        String to = UdpSipClient.header(accepted.replace("\n", crlf), "To");
        String body = "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:8100@example.com\">"
                + "<tuple id=\"t1\"><status><basic>forged</basic></status></tuple></presence>";
        return "NOTIFY sip:proxy@127.0.0.1:" + proxy.sipPort + " SIP/2.0" + crlf
                + "Via: SIP/2.0/UDP " + OTHER_CARRIER + ":" + attacker.localPort() + ";branch=z9hG4bK-forged-notify" + crlf
                + "Max-Forwards: 70" + crlf
                + "From: " + to + crlf
                + "To: " + from + crlf
                + "Call-ID: " + callId + crlf
                + "CSeq: 2 NOTIFY" + crlf
                + "Contact: <sip:" + OTHER_CARRIER + ":" + attacker.localPort() + ">" + crlf
                + "Event: presence" + crlf
                + "Subscription-State: terminated;reason=rejected" + crlf
                + "Content-Type: application/pidf+xml" + crlf
                + "Content-Length: " + body.length() + crlf + crlf + body;
    }

    private static void awaitReceived(Sipp.Server server, String start) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Sipp.tracedMessages(server.messages(), true).stream().anyMatch(m -> m.startsWith(start))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the presence server never received " + start + ":\n" + server.messages());
    }

    @Test
    void aServerThatChallengesTheSubscribeGetsItAgainWithTheTrunksCredentials() {
        try (Sipp.Server server = Sipp.server("uas-notify-challenge.xml", Map.of("called", "8103", "realm",
                "presence.example", "user", "sipshield", "password", "trunk-secret"), "udp", SERVER, serverPort)) {
            ProcessOutput watcher = Sipp.client("uac-subscribe-once.xml", Map.of("caller", "5550100", "called", "8103",
                    "expires", "60"), "udp", WATCHERS, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = server.finish();
            assertEquals(0, watcher.exitCode(), "the watcher must get 200, not the server's 401 as 403:\n"
                    + watcher.output() + "\nserver:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            assertFalse(watcher.output().contains("presence.example"), "the carrier's realm reached the watcher:\n"
                    + watcher.output());
        }
    }

    @Test
    void aWatcherMayCancelItsSubscribeWhileTheServerHasNotAnswered() throws Exception {
        try (Sipp.Server server = Sipp.server("uas-subscribe-held.xml", Map.of(), "udp", SERVER, serverPort);
                UdpSipClient watcher = new UdpSipClient(WATCHERS, "127.0.0.1", proxy.sipPort);
                UdpSipClient nudge = new UdpSipClient("127.0.0.1", SERVER, serverPort)) {
            String requestUri = "sip:8104@127.0.0.1:" + proxy.sipPort;
            String headers = "Event: presence\r\nExpires: 60\r\n";
            String subscribe = watcher.request("SUBSCRIBE", requestUri, "5550100", "8104", "cancelled-subscribe", 1, headers);
            watcher.send(subscribe);
            String held = awaitMessage(server, "SUBSCRIBE ");
            String cancel = subscribe.replaceFirst("^SUBSCRIBE ", "CANCEL ").replace("CSeq: 1 SUBSCRIBE", "CSeq: 1 CANCEL")
                    .replace(headers, "");
            String cancelled = watcher.exchange(cancel);
            assertTrue(cancelled.startsWith("SIP/2.0 200") && cancelled.contains("CANCEL"),
                    "a CANCEL of a pending SUBSCRIBE is answered 200 (RFC 3261 9.2):\n" + cancelled);
            // the server goes on (a non-INVITE runs its course: no CANCEL is sent on) and its answer crosses back
            String callIdB = UdpSipClient.header(held.replace("\n", "\r\n"), "Call-ID");
            nudge.send(nudge.request("MESSAGE", "sip:server@" + SERVER + ":" + serverPort, "test", "server", callIdB, 1, ""));
            String answer = watcher.receiveFinal();
            assertTrue(answer.startsWith("SIP/2.0 200") && answer.contains("SUBSCRIBE"), answer);
            assertEquals(0, server.finish().exitCode(), server.messages());
        }
    }

    private static String awaitMessage(Sipp.Server peer, String start) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            var found = Sipp.tracedMessages(peer.messages(), true).stream().filter(m -> m.startsWith(start)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + start + " reached the peer:\n" + peer.messages());
    }
}
