package org.sipshield.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.ProxyFixture;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.UdpSipClient;

/**
 * An attacker who has seen a live call's Call-ID and tags (they travel in clear over UDP) forges
 * requests inside its dialog: a BYE from another address, a BYE from the address of the call's
 * other trunk, a CANCEL of a ringing call from another address. Each gets 403 and a SECURITY
 * dialog-peer-mismatch line, and the call goes on: the real caller's own BYE (or CANCEL) is then
 * answered 200, which it would not be (481) had the forgery ended the call. A forged target refresh
 * (re-INVITE, UPDATE) must leave the dialog as it was: its Contact must not become where we send the
 * leg's requests, nor its CSeq the one the real peer must exceed.
 */
class DialogForgeryTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";
    static final String ATTACKER = "127.0.0.9";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int pbxPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().carrierAndPbx(CARRIER, FreePorts.udpAndTcp(), PBX, pbxPort).start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    @Test
    void aForgedByeFromAnotherAddressOrFromTheCallsOtherTrunkIsRefusedAndTheCallGoesOn() throws Exception {
        try (SecurityLog log = new SecurityLog();
                Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort);
                UdpSipClient caller = new UdpSipClient(CARRIER, "127.0.0.1", proxy.sipPort);
                UdpSipClient attacker = new UdpSipClient(ATTACKER, "127.0.0.1", proxy.sipPort);
                UdpSipClient otherTrunk = new UdpSipClient(PBX, "127.0.0.1", proxy.sipPort)) {
            String callId = "forged-bye-" + System.nanoTime();
            caller.send(invite(caller, callId));
            String ok = caller.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
            String toTag = tag(UdpSipClient.header(ok, "To"));
            caller.send(inDialog(caller, "ACK", callId, toTag, 1));

            String fromAttacker = attacker.exchange(inDialog(attacker, "BYE", callId, toTag, 2));
            assertTrue(fromAttacker.startsWith("SIP/2.0 403 "), fromAttacker);
            // a known peer (the trunk of the call's other leg) is a stranger to this leg all the same
            String fromOtherTrunk = otherTrunk.exchange(inDialog(otherTrunk, "BYE", callId, toTag, 3));
            assertTrue(fromOtherTrunk.startsWith("SIP/2.0 403 "), fromOtherTrunk);

            String realBye = caller.exchange(inDialog(caller, "BYE", callId, toTag, 4));
            assertTrue(realBye.startsWith("SIP/2.0 200 "), "a forged BYE ended the call: " + realBye);
            ProcessOutput atPbx = pbx.finish();
            assertEquals(0, atPbx.exitCode(), atPbx.output());

            List<String> refused = log.lines("SECURITY dialog-peer-mismatch");
            assertEquals(2, refused.size(), String.valueOf(refused));
            assertTrue(refused.get(0).contains("src=" + ATTACKER) && refused.get(0).contains("method=BYE"), refused.get(0));
            assertTrue(refused.get(1).contains("src=" + PBX), refused.get(1));
        }
    }

    @Test
    void aForgedCancelOfARingingCallIsRefusedAndTheCallersOwnCancelWorks() throws Exception {
        try (SecurityLog log = new SecurityLog();
                Sipp.Server pbx = Sipp.server("uas-ring-cancel.xml", Map.of(), "udp", PBX, pbxPort);
                UdpSipClient caller = new UdpSipClient(CARRIER, "127.0.0.1", proxy.sipPort);
                UdpSipClient attacker = new UdpSipClient(ATTACKER, "127.0.0.1", proxy.sipPort)) {
            String callId = "forged-cancel-" + System.nanoTime();
            String invite = invite(caller, callId);
            caller.send(invite);
            String ringing;
            do {
                ringing = caller.receive();
            } while (ringing.startsWith("SIP/2.0 100 "));
            assertTrue(ringing.startsWith("SIP/2.0 180 "), ringing);

            // the attacker copies the INVITE's Via (branch and sent-by), Call-ID and tags: only its
            // address differs; the caller's own CANCEL, with the same branch, must still be judged afresh
            attacker.send(cancelOf(invite));
            awaitSecurityLine(log, "SECURITY dialog-peer-mismatch src=" + ATTACKER);

            caller.send(cancelOf(invite));
            String cancelled = caller.receiveFinal();
            if (cancelled.startsWith("SIP/2.0 403 ")) {
                cancelled = caller.receiveFinal(); // the forged CANCEL's 403, sent where its copied Via says: here
            }
            assertTrue(cancelled.startsWith("SIP/2.0 200 ") && cancelled.contains("CANCEL"), cancelled);
            String terminated = caller.receiveFinal();
            assertTrue(terminated.startsWith("SIP/2.0 487 "), terminated);
            ProcessOutput atPbx = pbx.finish();
            assertEquals(0, atPbx.exitCode(), atPbx.output());
            assertEquals(1, log.lines("SECURITY dialog-peer-mismatch src=" + ATTACKER).size());
        }
    }

    @Test
    void aForgedTargetRefreshWithAHighCseqNeitherRedirectsTheLegNorLocksOutTheRealPeer() throws Exception {
        try (SecurityLog log = new SecurityLog();
                Sipp.Server pbx = Sipp.server("uas-info-then-hangup.xml", Map.of(), "udp", PBX, pbxPort);
                UdpSipClient caller = new UdpSipClient(CARRIER, "127.0.0.1", proxy.sipPort);
                UdpSipClient attacker = new UdpSipClient(ATTACKER, "127.0.0.1", proxy.sipPort)) {
            String callId = "forged-refresh-" + System.nanoTime();
            caller.send(invite(caller, callId));
            String ok = caller.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200 "), ok);
            String toTag = tag(UdpSipClient.header(ok, "To"));
            caller.send(inDialog(caller, "ACK", callId, toTag, 1));

            // the attacker's Contact names its own socket; its CSeq is far above the caller's
            String forgedReinvite = attacker.exchange(withSdp(inDialog(attacker, "INVITE", callId, toTag, 1000), attacker, 9));
            assertTrue(forgedReinvite.startsWith("SIP/2.0 403 "), forgedReinvite);
            String forgedUpdate = attacker.exchange(inDialog(attacker, "UPDATE", callId, toTag, 2000));
            assertTrue(forgedUpdate.startsWith("SIP/2.0 403 "), forgedUpdate);

            // the caller's next request, CSeq 2, is still in sequence: relayed and answered by the PBX. It is
            // no target refresh, so only the dialog's own remote target can say where our BYE goes next
            String info = caller.exchange(inDialog(caller, "INFO", callId, toTag, 2));
            assertTrue(info.startsWith("SIP/2.0 200 "), "the real INFO was refused: " + info);

            // the PBX then hangs up: our BYE on the caller's leg must come to the caller
            String bye = caller.receive();
            for (int i = 0; i < 5 && bye.startsWith("SIP/2.0 "); i++) {
                bye = caller.receive(); // a 200 of the INVITE resent, had our ACK crossed it
            }
            assertTrue(bye.startsWith("BYE sip:5550100@" + CARRIER + ":" + caller.localPort()), bye);
            caller.send(okTo(bye));
            ProcessOutput atPbx = pbx.finish();
            assertEquals(0, atPbx.exitCode(), atPbx.output());
            String afterRefusals = attacker.receive();
            assertEquals("(no answer within 5 s)", afterRefusals, "the attacker received: " + afterRefusals);

            List<String> refused = log.lines("SECURITY dialog-peer-mismatch src=" + ATTACKER);
            assertEquals(2, refused.size(), String.valueOf(refused));
            assertTrue(refused.get(0).contains("method=INVITE") && refused.get(1).contains("method=UPDATE"),
                    String.valueOf(refused));
        }
    }

    /** The proxy logs before it answers; bounded: 50 looks, 100 ms apart. */
    private static void awaitSecurityLine(SecurityLog log, String line) throws InterruptedException {
        for (int i = 0; i < 50 && log.lines(line).isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(1, log.lines(line).size(), line);
    }

    private static String invite(UdpSipClient caller, String callId) {
        return withSdp(caller.request("INVITE", "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100", "8100", callId, 1, ""),
                caller, 1);
    }

    /** The request with an audio offer from the sender's address; version: the o= line's (a re-offer raises it). */
    private static String withSdp(String request, UdpSipClient sender, int version) {
        String sdp = "v=0\r\no=pbx 1 " + version + " IN IP4 " + sender.localIp() + "\r\ns=-\r\nc=IN IP4 "
                + sender.localIp() + "\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return request.replace("Content-Length: 0\r\n\r\n", "Content-Type: application/sdp\r\nContent-Length: "
                + sdp.length() + "\r\n\r\n" + sdp);
    }

    /** The 200 a UAS answers a request with: its Via, From, To, Call-ID and CSeq. */
    private static String okTo(String request) {
        StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : request.split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim() : "";
            if (List.of("via", "from", "to", "call-id", "cseq").contains(name.toLowerCase(java.util.Locale.ROOT))) {
                ok.append(line).append("\r\n");
            }
        }
        return ok.append("Content-Length: 0\r\n\r\n").toString();
    }

    /** A request in the caller's dialog, sent by whoever: Call-ID and both tags are the caller's. */
    private static String inDialog(UdpSipClient sender, String method, String callId, String toTag, int cseq) {
        return sender.request(method, "sip:8100@127.0.0.1:" + proxy.sipPort, "5550100", "8100", callId, cseq, "")
                .replace("CSeq: " + cseq + " ACK", "CSeq: 1 ACK")
                .replace("To: <sip:8100@127.0.0.1>", "To: <sip:8100@127.0.0.1>;tag=" + toTag);
    }

    /** The CANCEL of an INVITE: its Request-URI, top Via, From, To, Call-ID and CSeq number (RFC 3261 9.1). */
    private static String cancelOf(String invite) {
        StringBuilder cancel = new StringBuilder(invite.substring(0, invite.indexOf(' ')).replace("INVITE", "CANCEL"));
        cancel.append(invite, invite.indexOf(' '), invite.indexOf("\r\n") + 2);
        for (String name : List.of("Via", "Max-Forwards", "From", "To", "Call-ID")) {
            cancel.append(name).append(": ").append(UdpSipClient.header(invite, name)).append("\r\n");
        }
        cancel.append("CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n");
        return cancel.toString();
    }

    private static String tag(String to) {
        int at = to.indexOf(";tag=");
        return to.substring(at + 5).split(";")[0].trim();
    }
}
