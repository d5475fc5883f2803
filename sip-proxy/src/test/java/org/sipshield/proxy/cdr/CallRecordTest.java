package org.sipshield.proxy.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.DigestSrtpCall;
import org.sipshield.proxy.RunningProxy;
import org.sipshield.proxy.hostile.SecurityLog;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

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

    private static void noSecretIn(String record, String callerKey, String ha1) {
        assertFalse(record.contains(callerKey), "the caller's SRTP key: " + record);
        assertFalse(record.contains("inline:") || record.contains("a=crypto"), "no SDP: " + record);
        assertFalse(record.contains("trunk-secret") || record.contains(ha1), "no credential: " + record);
    }
}
