package org.sipshield.proxy.matrix;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipshield.media.LegCounters;
import org.sipshield.media.RelaySide;
import org.sipshield.media.SessionReport;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.RtpEndpoint;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.srtp.CryptoSuite;

/**
 * The video half of a video call row: baresip sends VP8 from its fakevideo source, the far end has
 * an SRTP endpoint of its own for the video stream. Judged from what the far end received (every
 * packet authenticates with the relay's video key for that leg, a key other than the audio's) and
 * from the relay's video session (the phone's leg carried video both ways, none refused).
 */
final class VideoRow {
    /** baresip with a video source and display that need no camera or screen. */
    static final List<String> PHONE_CONFIG = List.of("module fakevideo.so", "module vp8.so",
            "video_source fakevideo,nil", "video_display fakevideo,nil");
    private static final int PACKETS = 50;

    private VideoRow() {}

    /** The far end's video stream in its answer (uas-media.xml's ${videoSection}): the audio's profile and crypto tag. */
    static String farEndSection(RtpEndpoint video, Optional<CryptoSuite> suite) {
        return "m=video " + video.port() + " [$proto] 100\n      a=rtpmap:100 VP8/90000"
                + suite.map(s -> "\n      a=crypto:[$tag] " + s.sdesName() + " inline:" + video.sendingKey()).orElse("");
    }

    /** A trace without its m=video sections: what the audio's judgement reads. */
    static String withoutVideo(String trace) {
        StringBuilder out = new StringBuilder();
        boolean video = false;
        for (String line : trace.split("\n", -1)) {
            String l = line.strip();
            if (l.startsWith("m=")) {
                video = l.startsWith("m=video");
            } else if (l.isEmpty() || l.startsWith("-----") || l.startsWith("SIP/2.0") || l.startsWith("v=")) {
                video = false;
            }
            if (!video) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    static MatrixResult judge(Scenario row, MatrixResult call, ProcessOutput farEnd, RtpEndpoint video,
            Queue<SessionReport> reports) throws InterruptedException {
        CryptoSuite suite = row.suite().orElseThrow();
        String invite = Sipp.tracedMessages(farEnd.output(), true).stream().filter(m -> m.startsWith("INVITE "))
                .findFirst().orElse("");
        Matcher first = Pattern.compile("a=crypto:(\\d+) " + suite.sdesName() + " inline:").matcher(invite);
        String tag = first.find() ? first.group(1) : "?";
        List<String> keys = keys(invite, tag, suite); // the relay's, by m= line
        List<String> problems = new ArrayList<>();
        if (keys.size() != 2 || keys.contains(null) || keys.get(0).equals(keys.get(1))) {
            return MatrixResult.fail(row, call.observed() + ": the far end was not offered audio and video with keys of their own: "
                    + keys.size() + " streams", invite);
        }
        int[] rejected = {0};
        video.decoded(keys.get(1), rejected);
        int received = video.packetsReceived();
        video.failure().ifPresent(f -> problems.add("far-end video: " + f));
        if (received < PACKETS || rejected[0] > 0) {
            problems.add("the far end received " + received + " video packets, " + rejected[0] + " of them not with the relay's video key");
        }
        SessionReport report = null;
        for (int i = 0; i < 500 && report == null; i++) {
            report = reports.stream().filter(r -> r.label().endsWith(" video")).findFirst().orElse(null);
            Thread.sleep(20);
        }
        String phoneLeg = "no video session";
        if (report == null) {
            problems.add("the relay's video session did not end");
        } else {
            LegCounters phone = report.leg(RelaySide.A);
            phoneLeg = "phone's leg in " + phone.packetsIn() + ", out " + phone.packetsOut();
            if (phone.packetsIn() == 0 || phone.packetsOut() == 0 || phone.authFailures() > 0) {
                problems.add("video on the phone's leg: " + phone);
            }
        }
        String observed = call.observed() + "; video: far end " + received + " packets decrypted with its own key, " + phoneLeg;
        return problems.isEmpty() ? MatrixResult.pass(row, observed)
                : MatrixResult.fail(row, observed + ": " + String.join("; ", problems), farEnd.output());
    }

    /** Each m= section's key for that tag and suite (null where it has none). */
    private static List<String> keys(String message, String tag, CryptoSuite suite) {
        List<String> keys = new ArrayList<>();
        Pattern line = Pattern.compile("a=crypto:" + tag + " " + suite.sdesName() + " inline:([A-Za-z0-9+/=]+)");
        for (String section : message.split("(?m)^(?=m=)")) {
            if (section.startsWith("m=")) {
                Matcher key = line.matcher(section);
                keys.add(key.find() ? key.group(1) : null);
            }
        }
        return keys;
    }
}
