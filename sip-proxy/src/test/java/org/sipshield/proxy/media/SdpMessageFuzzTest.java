package org.sipshield.proxy.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.sipshield.proxy.media.SdpMessage.SdpMedia;

/**
 * Coverage-guided fuzzing (Jazzer) of the SDP reader itself, below the rewriter
 * ({@link SdpRewritingFuzzTest} drives both): any body is read or refused with an empty result,
 * never an exception. What it reads is a fixed point (written out and read again, it writes the
 * same bytes: a call answers a repeated SDP from a copy and must send what it sent), a copy is
 * independent of its original, every m= line it kept reads back as itself, and once the keying
 * material is removed no line can carry a key. `mvn test` replays the seeds; bench/robustness.sh
 * fuzzes for 60 s.
 */
class SdpMessageFuzzTest {
    /** parse() refuses bodies over this size; CRLF line ends written for LF ones can grow a body past it. */
    private static final int MAX_BODY = 65536;

    @FuzzTest(maxDuration = "60s")
    void anyBodyIsReadOrRefusedAndReadsBackAsWritten(byte[] body) {
        Optional<SdpMessage> parsed = SdpMessage.parse(body);
        if (parsed.isEmpty()) {
            return;
        }
        SdpMessage sdp = parsed.get();
        assertEquals("v=0", sdp.session.get(0), "an SDP that does not start with v=0");
        for (SdpMedia m : sdp.media) {
            assertTrue(m.port >= 0 && m.port <= 65535, "port " + m.port);
            Optional<SdpMedia> again = SdpMedia.parse(m.mLine());
            assertTrue(again.isPresent(), "our m= line does not read back: " + m.mLine());
            assertEquals(m.mLine(), again.get().mLine());
        }
        byte[] written = sdp.toBytes();
        if (written.length <= MAX_BODY) {
            Optional<SdpMessage> reread = SdpMessage.parse(written);
            assertTrue(reread.isPresent(), "what we wrote does not read back:\n" + text(written));
            assertArrayEquals(written, reread.get().toBytes(), "written, read and written again differs");
        }

        SdpMessage copy = sdp.copy();
        assertArrayEquals(written, copy.toBytes(), "a copy writes other bytes");
        copy.session.add("a=copy-only");
        copy.media.forEach(m -> {
            m.lines.add("a=copy-only");
            m.port = 9;
        });
        assertArrayEquals(written, sdp.toBytes(), "changing a copy changed its original");

        sdp.removeKeyingMaterial();
        for (String line : text(sdp.toBytes()).split("\r\n")) {
            assertFalse(line.startsWith("a=crypto") || line.startsWith("a=key-mgmt") || line.startsWith("k=")
                    || line.toLowerCase(Locale.ROOT).contains("inline:"), "a keying line survived: " + line);
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
