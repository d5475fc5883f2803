package org.sipshield.proxy.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.DigestSrtpCall;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.RtpEndpoint;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.Wav;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.testing.RtpPackets;

/**
 * A real SRTP call (sipp caller on a digest trunk offering SDES, sipp PBX answering plain RTP)
 * leaves exactly one call record, in the sipshield.cdr log as one JSON line and in the database,
 * with both legs' transports and media suites, the times, the final code and who hung up; and no
 * secret: neither the caller's SRTP key, nor the trunk's password or its digest hash.
 */
class CallRecordTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDirectory;

    @Test
    void oneCallOneRecordInTheLogAndTheDatabaseWithoutSecrets() throws Exception {
        DigestSrtpCall srtpCall = new DigestSrtpCall();
        String ha1 = srtpCall.ha1;
        String callerKey = srtpCall.callerKey;
        List<String> logged;
        try (SecurityLog cdr = new SecurityLog("sipshield.cdr")) {
            try (RunningProxy proxy = srtpCall.proxy().start(dataDirectory)) {
                try (Sipp.Server pbx = srtpCall.pbx(); Sipp.Server caller = srtpCall.startCaller(proxy, 2000)) {
                    ProcessOutput a = caller.finish();
                    ProcessOutput b = pbx.finish();
                    assertEquals(0, a.exitCode(), a.output());
                    assertEquals(0, b.exitCode(), b.output());
                }
                for (int i = 0; i < 600 && cdr.lines("").isEmpty(); i++) {
                    Thread.sleep(50);
                }
            } // closing the proxy stores what is queued
            logged = cdr.lines("");
        }

        assertEquals(1, logged.size(), "one line per call: " + logged);
        JsonNode line = JSON.readTree(logged.get(0));
        assertEquals("ENDED", line.get("state").asText(), line.toString());
        assertEquals(200, line.get("finalCode").asInt());
        assertEquals("caller", line.get("endedBy").asText());
        assertEquals("UDP", line.at("/legA/transport").asText());
        assertEquals("UDP", line.at("/legB/transport").asText());
        assertTrue(line.at("/legA/srtpSuite").asText().startsWith("AES") , "leg A was SRTP: " + line);
        assertEquals("RTP", line.at("/legB/srtpSuite").asText(), line.toString());
        assertEquals("NotAuthenticated", line.get("security").asText(), "UDP: keys in clear protect nothing");
        assertNotNull(line.get("answered").textValue(), line.toString());
        assertTrue(line.get("setup").asText().compareTo(line.get("answered").asText()) <= 0, line.toString());
        assertTrue(line.get("answered").asText().compareTo(line.get("ended").asText()) <= 0, line.toString());
        noSecretIn(logged.get(0), callerKey, ha1);

        List<String> rows = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDirectory.resolve("sipshield.db"));
                ResultSet row = db.createStatement().executeQuery("SELECT * FROM call_record")) {
            while (row.next()) {
                StringBuilder all = new StringBuilder();
                for (int c = 1; c <= row.getMetaData().getColumnCount(); c++) {
                    all.append(row.getMetaData().getColumnName(c)).append('=').append(row.getString(c)).append(' ');
                }
                rows.add(all.toString());
                assertEquals(line.get("callId").asText(), row.getString("call_id"));
                assertEquals(200, row.getInt("final_code"));
                assertEquals("caller", row.getString("ended_by"));
                assertEquals("RTP", row.getString("leg_b_srtp_suite"));
                assertEquals(line.at("/legA/srtpSuite").asText(), row.getString("leg_a_srtp_suite"));
                assertTrue(row.getLong("answered_at") >= row.getLong("setup_at"));
                assertTrue(row.getLong("ended_at") >= row.getLong("answered_at"));
            }
        }
        assertEquals(1, rows.size(), rows.toString());
        noSecretIn(rows.get(0), callerKey, ha1);
    }

    /**
     * Each leg's media counters, as the relay counted them, in the record: a plain RTP caller (a
     * socket of this test) and an SRTP far end on libsrtp2 that slips forged and replayed packets
     * in; the call ends by the media timeout once both fall silent, so every packet was counted.
     */
    @Test
    void theRecordCountsEachLegsMediaAndTheSrtpPacketsRefused() throws Exception {
        int pbxPort = FreePorts.udpAndTcp();
        CryptoSuite suite = CryptoSuite.AES_CM_128_HMAC_SHA1_80;
        int sentByCaller = 100;
        List<String> logged;
        try (SecurityLog cdr = new SecurityLog("sipshield.cdr");
                RtpEndpoint far = new RtpEndpoint(DigestSrtpCall.PBX, Optional.of(suite));
                DatagramSocket phone = new DatagramSocket(new InetSocketAddress(DigestSrtpCall.TRUNK, 0))) {
            far.injectForgeriesAndReplays(10);
            try (RunningProxy proxy = new RunningProxy(dataDirectory, """
                    media: {mediaTimeout: 5}
                    sipTrunkSecurityProfiles:
                      - {name: plain, incomingPort: ${sipPort}, outgoingTransportType: UDP}
                    sipTrunks:
                      - {name: callers, securityProfile: plain, destinations: ["%s:5060"]}
                      - {name: pbx, securityProfile: plain, destinations: ["%s:%d"], srtpAllowed: true}
                    routePatterns:
                      - {pattern: "8!", trunk: pbx}
                    """.formatted(DigestSrtpCall.TRUNK, DigestSrtpCall.PBX, pbxPort))) {
                Map<String, String> farEnd = Map.of("mediaPort", Integer.toString(far.port()),
                        "suiteAction", "<ereg regexp=\"a=crypto:([0-9]+) " + suite.sdesName()
                                + " inline:\" search_in=\"body\" check_it=\"true\" assign_to=\"c,tag\"/>",
                        "unusedVariables", "m,c",
                        "answerLine", "a=crypto:[$tag] " + suite.sdesName() + " inline:" + far.sendingKey(),
                        "videoSection", "");
                try (Sipp.Server pbx = Sipp.server("uas-media.xml", farEnd, "udp", DigestSrtpCall.PBX, pbxPort);
                        Sipp.Server caller = Sipp.startClient("uac-call-media-await-bye.xml", Map.of("caller", "5550100",
                                "called", "8100", "mediaPort", Integer.toString(phone.getLocalPort())), "udp", DigestSrtpCall.TRUNK,
                                "127.0.0.1", proxy.sipPort)) {
                    far.start(Wav.sweep(1.0, 600, 900), 20); // 50 frames, then silence
                    InetSocketAddress relay = new InetSocketAddress("127.0.0.1", relayPortAnswered(caller));
                    for (int seq = 0; seq < sentByCaller; seq++) {
                        byte[] rtp = RtpPackets.g711(0x5eed, seq);
                        phone.send(new DatagramPacket(rtp, rtp.length, relay));
                    }
                    ProcessOutput a = caller.finish(); // the media timeout's BYE
                    ProcessOutput b = pbx.finish();
                    assertEquals(0, a.exitCode(), a.output());
                    assertEquals(0, b.exitCode(), b.output());
                    assertTrue(far.failure().isEmpty(), far.failure().toString());
                }
                for (int i = 0; i < 600 && cdr.lines("").isEmpty(); i++) {
                    Thread.sleep(50);
                }
            }
            logged = cdr.lines("");
            assertEquals(1, logged.size(), logged.toString());
            JsonNode line = JSON.readTree(logged.get(0));
            JsonNode a = line.at("/legA/media");
            JsonNode b = line.at("/legB/media");
            assertEquals(sentByCaller, a.get("packetsIn").asLong(), line.toString());
            assertEquals(sentByCaller * (12L + RtpPackets.G711_FRAME), a.get("bytesIn").asLong(), line.toString());
            assertEquals(sentByCaller, b.get("packetsOut").asLong(), "every caller packet went on to the far end: " + line);
            assertEquals(sentByCaller * (12L + RtpPackets.G711_FRAME + 10), b.get("bytesOut").asLong(),
                    "protected: an 80-bit tag more each: " + line);
            assertEquals(50, b.get("packetsIn").asLong(), "the far end's honest frames: " + line);
            assertEquals(50, a.get("packetsOut").asLong(), "all of them reached the caller: " + line);
            assertTrue(far.forgedSent() > 0 && far.replaysSent() > 0, "the far end attacked");
            assertEquals(far.forgedSent(), b.get("srtpAuthFailures").asLong(), line.toString());
            assertEquals(far.replaysSent(), b.get("srtpReplays").asLong(), line.toString());
            assertEquals(0, a.get("srtpAuthFailures").asLong(), line.toString());
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dataDirectory.resolve("sipshield.db"));
                ResultSet row = db.createStatement().executeQuery("SELECT record_json FROM call_record")) {
            assertTrue(row.next());
            assertEquals(JSON.readTree(logged.get(0)).at("/legB/media"), JSON.readTree(row.getString(1)).at("/legB/media"));
        }
    }

    /** The relay's leg A port, from the SDP of the 200 the caller received (polled: sipp writes its trace as it goes). */
    private static int relayPortAnswered(Sipp.Server caller) throws InterruptedException {
        Pattern audio = Pattern.compile("(?m)^\\s*m=audio (\\d+) RTP/AVP");
        for (int i = 0; i < 600; i++) {
            for (String message : Sipp.tracedMessages(caller.messages(), true)) {
                Matcher m = audio.matcher(message);
                if (message.startsWith("SIP/2.0 200") && m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the call was never answered\n" + caller.messages());
    }

    private static void noSecretIn(String record, String callerKey, String ha1) {
        assertFalse(record.contains(callerKey), "the caller's SRTP key: " + record);
        assertFalse(record.contains("inline:") || record.contains("a=crypto"), "no SDP: " + record);
        assertFalse(record.contains("trunk-secret") || record.contains(ha1), "no credential: " + record);
    }
}
