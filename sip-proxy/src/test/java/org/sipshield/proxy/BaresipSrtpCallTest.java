package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.media.LegCounters;
import org.sipshield.media.RelaySide;
import org.sipshield.media.SessionReport;
import org.sipshield.proxy.peers.Baresip;
import org.sipshield.proxy.peers.Wav;

/**
 * Acceptance of the media relay: two baresip phones (Debian's package) call each other through
 * sipshield with mandatory SDES-SRTP. baresip offers AES_CM_128_HMAC_SHA1_80 only, so leg A runs
 * that; on leg B we offer the SRTP Ciphers list best first and baresip takes AEAD_AES_256_GCM. Each
 * phone plays a sine sweep and records what it decodes: the recordings must be the other's sweep,
 * which only happens if the relay decrypted with one leg's keys and encrypted with the other's.
 *
 * <p>The call lasts long enough for each phone's first RTCP sender report (libre sends one every
 * 5 s): SRTCP is relayed both ways, with rtcp-mux on leg A (alice offers it) and on its own port on
 * leg B, without a single authentication failure. baresip also sends RTCP in clear on its SRTP
 * legs (a NAT-pinhole APP packet before its SRTP module is active, a BYE after it is gone): the relay
 * drops those and counts them as unprotected RTCP.
 */
class BaresipSrtpCallTest {
    @TempDir
    Path dir;

    @Test
    void aes128CmLegAndAes256GcmLegCarryTheSameAudio() throws Exception {
        short[] sweep = Wav.sweep(8, 300, 1800);
        Path sweepFile = dir.resolve("sweep.wav");
        Wav.write(sweepFile, sweep);
        try (Baresip alice = new Baresip(dir.resolve("alice"), "alice", sweepFile, "36000-36199", "", true);
                Baresip bob = new Baresip(dir.resolve("bob"), "2002", sweepFile, "36200-36399", ";answermode=auto")) {
            String trunks = """
                    media:
                      portMin: 38000
                      portMax: 38199
                    sipTrunkSecurityProfiles:
                      - name: Carrier Profile
                        deviceSecurityMode: Non Secure
                        incomingTransportType: TCP+UDP
                        outgoingTransportType: UDP
                        incomingPort: ${sipPort}
                    sipTrunks:
                      - name: alice
                        securityProfile: Carrier Profile
                        destinations: ["127.0.0.1:%d"]
                        srtpAllowed: true
                      - name: bob
                        securityProfile: Carrier Profile
                        destinations: ["127.0.0.1:%d"]
                        srtpAllowed: true
                    routePatterns:
                      - {pattern: "2002", trunk: bob}
                    """.formatted(alice.sipPort, bob.sipPort);
            try (RunningProxy proxy = new RunningProxy(dir.resolve("data"), trunks)) {
                CompletableFuture<SessionReport> media = new CompletableFuture<>();
                proxy.server.media().relay().onSessionEnded(media::complete);
                bob.start(15);
                // alice's sweep ends after 8 s and she hangs up; -t bounds the run either way
                alice.start(13, "/dial sip:2002@127.0.0.1:" + proxy.sipPort);
                String aliceOutput = alice.awaitExit(25);
                String bobOutput = bob.awaitExit(25);

                assertTrue(aliceOutput.contains("Call established"), aliceOutput);
                assertTrue(aliceOutput.contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), aliceOutput);
                assertTrue(bobOutput.contains("SRTP is Enabled (cryptosuite=AEAD_AES_256_GCM)"), bobOutput);

                // keys: each phone saw only keys the relay made for its own leg, all different
                List<String> aliceGot = alice.receivedCryptoLines();
                List<String> bobGot = bob.receivedCryptoLines();
                assertEquals(1, aliceGot.size(), aliceGot.toString());
                assertTrue(aliceGot.get(0).contains(" AES_CM_128_HMAC_SHA1_80 "));
                assertTrue(bobGot.get(0).startsWith("a=crypto:1 AEAD_AES_256_GCM "), bobGot.toString());
                List<String> keys = new ArrayList<>();
                for (List<String> lines : List.of(aliceGot, bobGot, alice.sentCryptoLines(), bob.sentCryptoLines())) {
                    lines.forEach(l -> keys.add(l.split("\\s+")[2]));
                }
                assertEquals(keys.size(), keys.stream().distinct().count(), "a key appears on two legs: " + keys.size());
                List<String> aliceSent = alice.sentCryptoLines();
                assertEquals(1, aliceSent.size(), "baresip offers one suite: " + aliceSent);
                assertFalse(bobGot.stream().anyMatch(l -> l.split("\\s+")[2].equals(aliceSent.get(0).split("\\s+")[2])),
                        "alice's own key never reaches bob");

                // audio: 1.5 s from the middle of the sweep, found in each phone's decoded recording
                short[] window = Arrays.copyOfRange(sweep, 8000, 20000);
                double heardByBob = Wav.bestCorrelation(window, Wav.read(bob.decodedRecording()));
                double heardByAlice = Wav.bestCorrelation(window, Wav.read(alice.decodedRecording()));
                assertTrue(heardByBob > 0.9, "bob heard alice's sweep: correlation " + heardByBob);
                assertTrue(heardByAlice > 0.9, "alice heard bob's sweep: correlation " + heardByAlice);
                // the measure tells signals apart: a sweep through another band is not found
                double other = Wav.bestCorrelation(Wav.sweep(1.5, 2500, 3500), Wav.read(bob.decodedRecording()));
                assertTrue(other < 0.5, "an unrelated sweep correlates " + other);

                // SRTCP: relayed both ways, never an authentication failure
                assertTrue(alice.sdpLines("a=rtcp-mux", true).size() == 1 && alice.sdpLines("a=rtcp-mux", false).size() == 1,
                        "leg A multiplexes RTCP on the RTP port");
                assertTrue(bob.sdpLines("a=rtcp-mux", true).isEmpty(), "leg B does not");
                SessionReport report = media.get(10, TimeUnit.SECONDS);
                for (RelaySide side : RelaySide.values()) {
                    LegCounters leg = report.leg(side);
                    assertEquals(0, leg.authFailures(), "leg " + side + ": " + leg);
                    assertEquals(0, leg.replays(), "leg " + side + ": " + leg);
                    assertTrue(leg.rtcpPacketsIn() >= 1, "leg " + side + "'s phone's SRTCP was accepted: " + leg);
                    assertTrue(leg.rtcpPacketsOut() >= 1, "SRTCP from the other phone reached leg " + side + ": " + leg);
                }
                // baresip 1.0.0 sends its first RTCP packet in clear (its SRTP module lets packets through
                // unprotected until it is active): pinned, so a fixed baresip shows up here
                assertTrue(report.legA().unprotectedRtcp() >= 1, report.legA().toString());
            }
        }
    }
}
