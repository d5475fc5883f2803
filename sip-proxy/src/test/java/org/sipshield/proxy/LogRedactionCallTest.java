package org.sipshield.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.classic.encoder.JsonEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipshield.proxy.logging.LogOutput;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;
import org.slf4j.LoggerFactory;

/**
 * With every logger at TRACE (set through logback's API at run time, whatever logback.xml says),
 * a digest-authenticated SRTP call through the real proxy leaves none of its secrets in the log:
 * not the caller's SRTP key, not the key the proxy answered with, not the HA1, not the digest
 * response or cnonce. jain-sip logs whole messages at debug level; the bridge must redact them.
 * The same events written by the JSON log format's encoder (server.logFormat: JSON) are one JSON
 * object a line, hold none of the secrets either, and the lines logged while the caller's
 * messages were handled carry its Call-ID in their logging context.
 */
class LogRedactionCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INLINE = Pattern.compile("inline:([A-Za-z0-9+/=]+)");

    @TempDir
    Path dataDirectory;

    @Test
    void noSecretOfADigestAuthenticatedSrtpCallReachesTheLogAtTrace() throws Exception {
        DigestSrtpCall srtpCall = new DigestSrtpCall();
        String ha1 = srtpCall.ha1;
        String callerKey = srtpCall.callerKey;

        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Map<Logger, Level> levels = new HashMap<>();
        Capture capture = new Capture();
        capture.setContext(context);
        capture.start();
        capture.json = LogOutput.jsonEncoder(context);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Logger logger : context.getLoggerList()) {
            levels.put(logger, logger.getLevel());
            logger.setLevel(Level.TRACE);
        }
        root.addAppender(capture);
        ProcessOutput call;
        ProcessOutput atPbx;
        try (RunningProxy proxy = srtpCall.proxy().start(dataDirectory); Sipp.Server pbx = srtpCall.pbx()) {
            call = srtpCall.call(proxy, 300);
            atPbx = pbx.finish();
        } finally {
            root.detachAppender(capture);
            levels.forEach(Logger::setLevel);
        }
        assertEquals(0, call.exitCode(), call.output() + "\npbx:\n" + atPbx.output());
        assertEquals(0, atPbx.exitCode(), atPbx.output());

        Map<String, String> secrets = secrets(call.output(), callerKey, ha1);

        String log = capture.text();
        // the log did see the call's messages (jain-sip logs them at debug): this test is not vacuous
        assertTrue(log.contains("Proxy-Authorization"), "jain-sip's message logging was not captured");
        List<String> leaked = new ArrayList<>();
        secrets.forEach((what, value) -> {
            assertFalse(value.isBlank(), what);
            if (log.contains(value)) {
                int at = log.indexOf(value);
                leaked.add(what + " in: " + log.substring(Math.max(0, at - 200), Math.min(log.length(), at + 100)));
            }
        });
        assertEquals(List.of(), leaked);
        assertJsonLinesOfTheCall(capture.jsonText(), call.output(), secrets);
    }

    /** What must never reach a log, by name: both SRTP keys of the caller's leg, the HA1, the digest response and cnonce. */
    static Map<String, String> secrets(String callTrace, String callerKey, String ha1) {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("the caller's SRTP key", callerKey);
        Matcher answered = INLINE.matcher(answer(callTrace));
        assertTrue(answered.find(), "the proxy answered SRTP: " + callTrace);
        secrets.put("the proxy's SRTP key for the caller", answered.group(1));
        secrets.put("the HA1", ha1);
        String authorization = callTrace.lines().filter(l -> l.startsWith("Proxy-Authorization:")).findFirst()
                .orElseThrow(() -> new AssertionError("no Proxy-Authorization sent: " + callTrace));
        secrets.put("the digest response", parameter(authorization, "response"));
        secrets.put("the cnonce", parameter(authorization, "cnonce"));
        secrets.forEach((what, value) -> assertFalse(value.isBlank(), what));
        return secrets;
    }

    /**
     * A JSON log of the call: every line one JSON object, none of the secrets, and the B2BUA's line of
     * the caller's INVITE (and so at least one) carrying the caller's Call-ID in its logging context.
     */
    static void assertJsonLinesOfTheCall(String json, String callTrace, Map<String, String> secrets) throws Exception {
        secrets.forEach((what, value) -> assertFalse(json.contains(value), what + " in the JSON log"));
        String callId = Sipp.tracedMessages(callTrace, false).get(0).lines()
                .filter(l -> l.regionMatches(true, 0, "Call-ID:", 0, 8)).findFirst().orElseThrow().substring(8).trim();
        List<JsonNode> inviteLines = new ArrayList<>();
        for (String line : json.split("\n")) {
            JsonNode event = JSON.readTree(line); // throws on a line that is not JSON
            assertTrue(event.isObject() && event.has("formattedMessage") && event.has("level"), line);
            if (event.get("formattedMessage").asText().contains("INVITE for 8100")) {
                inviteLines.add(event);
            }
        }
        assertEquals(1, inviteLines.size(), "the B2BUA's line of the caller's INVITE: " + inviteLines);
        assertEquals(callId, inviteLines.get(0).at("/mdc/callId").asText(), inviteLines.get(0).toString());
    }

    /** The 200 OK to the authenticated INVITE, as sipp received it. */
    private static String answer(String trace) {
        return Sipp.tracedMessages(trace, true).stream().filter(m -> m.startsWith("SIP/2.0 200") && m.contains("m=audio"))
                .findFirst().orElseThrow(() -> new AssertionError("no 200 with SDP: " + trace));
    }

    private static String parameter(String header, String name) {
        Matcher value = Pattern.compile("[ ,]" + name + "=\"?([^\",]+)").matcher(header);
        if (!value.find()) {
            throw new AssertionError("no " + name + " in " + header);
        }
        return value.group(1);
    }

    /** Every log event as text: the formatted message and any exception with its messages. */
    static final class Capture extends AppenderBase<ILoggingEvent> {
        private final StringBuffer text = new StringBuffer();
        private final StringBuffer jsonText = new StringBuffer();
        JsonEncoder json;

        @Override
        protected void append(ILoggingEvent event) {
            text.append(event.getLoggerName()).append(' ').append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                text.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
            }
            jsonText.append(new String(json.encode(event), StandardCharsets.UTF_8));
        }

        String jsonText() {
            return jsonText.toString();
        }

        String text() {
            return text.toString();
        }
    }
}
