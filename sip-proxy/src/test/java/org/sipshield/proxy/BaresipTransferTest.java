package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.peers.Baresip;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.Wav;

/**
 * A carrier (sipp, 127.0.0.2) transfers a phone: baresip, registered as 2003, takes the carrier's
 * call and is referred to 2002 in the carrier's own domain. baresip acts on the REFER as a phone
 * does: it calls the Refer-To itself, so the proxy must have rewritten it to name us, and reports
 * its new call in sipfrag NOTIFYs that must reach the carrier in its dialog. 2002 (sipp) gets the
 * transferred call from 2003.
 */
class BaresipTransferTest {
    static final String CARRIER = "127.0.0.2";

    @TempDir
    Path dir;

    @Test
    void aPhoneReferredByTheCarrierCallsTheReferToThroughUsAndReportsIt() throws Exception {
        Path audio = dir.resolve("tone.wav");
        Wav.write(audio, Wav.sweep(4, 300, 1800));
        int carolPort = FreePorts.udpAndTcp();
        try (RunningProxy proxy = new ProxyFixture()
                .nonSecureTrunk("carrier", CARRIER, 5060)
                .phoneProfile("{name: Open phones, deviceSecurityMode: Non Secure, transportType: TCP+UDP}")
                .phone("{deviceName: SEPCAROL00001, securityProfile: Open phones, lines: [\"2002\"]}")
                .phone("{deviceName: SEPDAVE000001, securityProfile: Open phones, lines: [\"2003\"]}")
                .start(dir.resolve("data"));
                Baresip dave = new Baresip(dir.resolve("dave"), audio, "36500-36549",
                        port -> "<sip:2003@127.0.0.1:" + proxy.sipPort + ">;regint=600;answermode=auto;audio_codecs=PCMU",
                        List.of())) {
            ProcessOutput register = Sipp.client("register-open.xml", Map.of("dn", "2002", "contact",
                    "sip:2002@127.0.0.1:" + carolPort, "expect", "200"), "udp", "127.0.0.1", "127.0.0.1", proxy.sipPort);
            assertEquals(0, register.exitCode(), register.output());
            dave.start(30);
            awaitRegistered(dave, "127.0.0.1:" + proxy.sipPort);
            try (Sipp.Server carol = Sipp.server("uas-call-await-bye.xml", Map.of(), "udp", "127.0.0.1", carolPort)) {
                ProcessOutput carrier = Sipp.client("uac-call-transfer.xml", Map.of("caller", "5550100", "called", "2003",
                        "referTo", "<sip:2002@carrier.example>"), "udp", CARRIER, "127.0.0.1", proxy.sipPort);
                String daveLog = dave.output();
                assertEquals(0, carrier.exitCode(), carrier.output() + "\nbaresip:\n" + daveLog);
                List<String> notifies = Sipp.tracedMessages(carrier.output(), true).stream()
                        .filter(m -> m.startsWith("NOTIFY ")).distinct().toList();
                assertTrue(notifies.get(0).contains("SIP/2.0 100"), notifies.get(0));
                assertTrue(notifies.get(1).contains("SIP/2.0 200"), notifies.get(1));

                List<String> refers = dave.messages(true, "127.0.0.1:" + proxy.sipPort).stream()
                        .filter(m -> m.startsWith("REFER ")).toList();
                assertEquals(1, refers.size(), daveLog);
                assertFalse(refers.get(0).contains("carrier.example"), "the carrier's domain crossed:\n" + refers.get(0));
                assertTrue(refers.get(0).contains("Refer-To: <sip:2002@127.0.0.1:" + proxy.sipPort + ">"), refers.get(0));

                dave.close(); // baresip hangs up its calls as it quits
                ProcessOutput carolSide = carol.finish();
                assertEquals(0, carolSide.exitCode(), carolSide.output() + "\nbaresip:\n" + daveLog);
                String invite = IdentityHeadersCallTest.invite(carolSide.output());
                assertTrue(IdentityHeadersCallTest.header(invite, "From").get(0).contains("sip:2003@"), invite);
            }
        }
    }

    private static void awaitRegistered(Baresip phone, String proxyAddress) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            for (String message : phone.messages(true, proxyAddress)) {
                if (message.startsWith("SIP/2.0 200") && message.contains(" REGISTER\n")) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("baresip did not register:\n" + phone.output());
    }
}
