package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.media.WarmUpOutcome;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * The media rules the B2BUA enforces through the SDP step, with real sipp peers: the relay warms up
 * at start (media.warmUp's default); a call whose media stays silent is ended with BYE on both legs; an SRTP-only offer from a trunk without SRTP Allowed
 * is refused with 488 and never reaches the far side.
 */
class MediaCallTest {
    static final String CARRIER = "127.0.0.2";
    static final String PBX = "127.0.0.3";

    @TempDir
    static Path dataDirectory;

    static RunningProxy proxy;
    static int carrierPort = FreePorts.udpAndTcp();
    static int pbxPort = FreePorts.udpAndTcp();

    @BeforeAll
    static void start() throws Exception {
        proxy = new ProxyFixture().yaml("""
                media:
                  portMin: 38400
                  portMax: 38499
                  mediaTimeout: 5
                """).carrierAndPbx(CARRIER, carrierPort, PBX, pbxPort).start(dataDirectory);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** media.warmUp is on by default: the relay carried its own calls before the first one, and they add up. */
    @Test
    void theRelayWarmedUpAtStartWithEveryPacketAccountedFor() {
        WarmUpOutcome warmUp = proxy.server.media().warmUp().orElseThrow();
        assertEquals(Runtime.getRuntime().availableProcessors(), warmUp.eventLoops(), warmUp.toString());
        assertTrue(warmUp.legs().packetsOut() > 0 && warmUp.legs().authFailures() > 0 && warmUp.legs().replays() > 0,
                warmUp.toString());
        assertEquals(warmUp.packetsSent(), warmUp.legs().packetsIn() + warmUp.legs().dropped(), warmUp.toString());
        assertEquals(warmUp.legs().packetsOut(), warmUp.packetsReceived(), warmUp.toString());
    }

    @Test
    void aCallWithoutMediaEndsWithByeOnBothLegsAfterTheMediaTimeout() {
        try (Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort)) {
            // neither sipp sends RTP: both wait for a BYE, which only the media timeout (5 s) sends
            ProcessOutput caller = Sipp.client("uac-call-remote-bye.xml", Map.of("caller", "5550100", "called", "8100"),
                    "udp", CARRIER, "127.0.0.1", proxy.sipPort);
            ProcessOutput legB = pbx.finish();
            assertEquals(0, caller.exitCode(), caller.output() + "\npbx:\n" + legB.output());
            assertEquals(0, legB.exitCode(), legB.output());
            assertTrue(legB.output().contains("c=IN IP4 127.0.0.1"), "leg B's SDP points at the relay");
            assertFalse(legB.output().contains("c=IN IP4 " + CARRIER), "the caller's media address never reaches leg B");
        }
    }

    @Test
    void anSrtpOnlyOfferFromATrunkWithoutSrtpAllowedIsRefusedWith488() {
        try (Sipp.Server pbx = Sipp.server("uas-call.xml", Map.of(), "udp", PBX, pbxPort)) {
            ProcessOutput caller = Sipp.client("uac-call-savp-expect-488.xml", Map.of("caller", "5550100", "called", "8100"),
                    "udp", CARRIER, "127.0.0.1", proxy.sipPort);
            assertEquals(0, caller.exitCode(), caller.output());
            assertFalse(pbx.messages().contains("INVITE sip:"), "leg B never saw an INVITE:\n" + pbx.messages());
        }
    }
}
