package org.sipshield.proxy.matrix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.Transport;
import org.sipshield.media.LegCounters;
import org.sipshield.media.RelaySide;
import org.sipshield.media.SessionReport;
import org.sipshield.proxy.matrix.Scenario.Kind;
import org.sipshield.proxy.peers.Baresip;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.RtpEndpoint;
import org.sipshield.proxy.peers.Sipp;
import org.sipshield.proxy.peers.Wav;
import org.sipshield.srtp.CryptoSuite;

/**
 * The rows that need real peers: sipp registrations; baresip phones that register and call a far
 * end (sipp for its signalling, an {@link RtpEndpoint} on Debian's libsrtp2 for its media) directly
 * or through kamailio; calls the proxy must refuse. Each row is judged from what the peers saw.
 */
final class PeerRows {
    private static final AtomicInteger ROW = new AtomicInteger();
    private static final Pattern CRYPTO = Pattern.compile("a=crypto:(\\d+) (\\S+) inline:([A-Za-z0-9+/=]+)");
    private static final Pattern KAMAILIO_AUTHENTICATED = Pattern.compile("authenticated INVITE (\\S+) as ");
    private static final Pattern CSEQ = Pattern.compile("(?m)^CSeq: \\d+ (\\S+)");
    private static final Pattern SIPP_RECEIVED_STATUS = Pattern.compile("message received \\[\\d+\\] bytes :\\s+SIP/2\\.0 (\\d{3})");
    /** The phone's signal and the far end's: sweeps through different bands, so each direction is told apart. */
    private static final short[] PHONE_SIGNAL = Wav.sweep(2.5, 300, 1800);
    private static final short[] FAR_SIGNAL = Wav.sweep(2.5, 2400, 900);
    private static final double HEARD = 0.9;

    private final MatrixProxy m;
    private final Path work;

    PeerRows(MatrixProxy m, Path work) {
        this.m = m;
        this.work = work;
    }

    MatrixResult run(Scenario row) throws Exception {
        return switch (row.kind()) {
            case REGISTRATION -> registration(row);
            case CALL, KAMAILIO_CALL, VIDEO_CALL -> call(row);
            case REFUSED_488, KAMAILIO_WITHOUT_CREDENTIALS -> refusedCall(row);
            case SESSION_TIMER, TRANSFER -> new CallFeatureRows(m).run(row);
            case REFUSED_BY_CONFIG -> throw new IllegalArgumentException("not a peer row");
        };
    }

    private MatrixResult registration(Scenario row) {
        String number = MatrixProxy.number(row.transport(), row.mode(), row.digest());
        Map<String, String> variables = new HashMap<>(Map.of("dn", number, "expect", "200",
                "contact", "sip:" + number + "@127.0.0.1:" + FreePorts.udpAndTcp()));
        if (row.digest()) {
            variables.put("user", MatrixProxy.user(number));
            variables.put("password", MatrixProxy.password(number));
        }
        ProcessOutput sipp = Sipp.client(row.digest() ? "register.xml" : "register-open.xml", variables,
                MatrixProxy.lower(row.transport()), "127.0.0.1", "127.0.0.1", m.proxy.sipPort);
        List<String> statuses = new ArrayList<>();
        Matcher status = SIPP_RECEIVED_STATUS.matcher(sipp.output());
        while (status.find()) {
            statuses.add(status.group(1));
        }
        String observed = "REGISTER " + String.join(", ", statuses);
        List<String> expected = row.digest() ? List.of("401", "200") : List.of("200");
        if (sipp.exitCode() == 0 && statuses.equals(expected)) {
            return MatrixResult.pass(row, observed);
        }
        return MatrixResult.fail(row, observed + " (sipp exit " + sipp.exitCode() + ")", sipp.output());
    }

    /** A registered baresip phone, ready to dial. */
    private Baresip phone(Scenario row, Path directory, Path audio) throws Exception {
        Transport transport = row.transport();
        String number = MatrixProxy.number(transport, row.mode(), row.digest());
        String proxy = m.address(transport);
        String account = "<sip:" + number + "@" + proxy + ";transport=" + MatrixProxy.lower(transport) + ">;regint=600"
                + (row.digest() ? ";auth_user=" + MatrixProxy.user(number) + ";auth_pass=" + MatrixProxy.password(number) : "")
                + (row.phoneOffersSrtp() ? ";mediaenc=srtp-mand" : "") + ";audio_codecs=PCMU"
                + (row.kind() == Kind.VIDEO_CALL ? ";video_codecs=VP8" : "");
        int rtpBase = 30000 + (int) (ProcessHandle.current().pid() % 40) * 50;
        List<String> extra = new ArrayList<>(transport == Transport.TLS
                ? List.of("sip_cafile " + m.certificate, "sip_certificate " + m.phoneCertificate(number)) : List.of());
        if (row.kind() == Kind.VIDEO_CALL) {
            extra.addAll(VideoRow.PHONE_CONFIG);
        }
        return new Baresip(directory, audio, rtpBase + "-" + (rtpBase + 49), port -> account, extra);
    }

    private boolean registered(Baresip phone, Transport transport, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (received(phone, transport).stream().anyMatch(msg -> msg.startsWith("SIP/2.0 200") && msg.contains(" REGISTER\n"))) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private List<String> received(Baresip phone, Transport transport) throws Exception {
        return phone.messages(true, m.address(transport));
    }

    /**
     * "METHOD status" of every response the phone received from the proxy, in order, each once
     * (retransmissions, and the un-REGISTER at exit repeating the REGISTER's), 100 Trying left out.
     */
    private List<String> statuses(Baresip phone, Transport transport) throws Exception {
        Set<String> seen = new LinkedHashSet<>();
        for (String msg : received(phone, transport)) {
            Matcher cseq = CSEQ.matcher(msg);
            if (msg.startsWith("SIP/2.0 ") && msg.length() > 11 && cseq.find() && !msg.startsWith("SIP/2.0 100")) {
                seen.add(cseq.group(1) + " " + msg.substring(8, 11));
            }
        }
        return List.copyOf(seen);
    }

    private String dialUri(Scenario row, String prefix) {
        return "sip:" + prefix + "000@" + m.address(row.transport()) + ";transport=" + MatrixProxy.lower(row.transport());
    }

    private MatrixResult refusedCall(Scenario row) throws Exception {
        Path directory = work.resolve("row-" + ROW.incrementAndGet());
        Path audio = Files.createDirectories(directory).resolve("phone.wav");
        Wav.write(audio, PHONE_SIGNAL);
        boolean carrier = row.kind() == Kind.KAMAILIO_WITHOUT_CREDENTIALS;
        String expectedStatus = carrier ? "403" : "488";
        int challengesBefore = count(m.kamailioLog(), "challenging INVITE");
        try (Baresip phone = phone(row, directory.resolve("phone"), audio)) {
            phone.start(40);
            if (!registered(phone, row.transport(), 15)) {
                return MatrixResult.fail(row, "the phone did not register: " + statuses(phone, row.transport()), phone.output());
            }
            phone.command("/dial " + dialUri(row, carrier ? MatrixProxy.TO_CARRIER_WITHOUT_CREDENTIALS : MatrixProxy.TO_FAR_RTP));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline && statuses(phone, row.transport()).stream().noneMatch(s -> s.startsWith("INVITE ")
                    && !s.equals("INVITE 407") && !s.equals("INVITE 180") && !s.equals("INVITE 183"))) {
                Thread.sleep(20);
            }
            phone.command("/quit");
            phone.awaitExit(15);
            List<String> statuses = statuses(phone, row.transport());
            String observed = byMethod(statuses);
            List<String> invite = statuses.stream().filter(s -> s.startsWith("INVITE ")).toList();
            List<String> expectedInvite = new ArrayList<>();
            if (row.digest()) {
                expectedInvite.add("INVITE 407");
            }
            expectedInvite.add("INVITE " + expectedStatus);
            List<String> problems = new ArrayList<>();
            if (!invite.equals(expectedInvite)) {
                problems.add("INVITE answered " + invite + ", expected " + expectedInvite);
            }
            registerStatuses(row, statuses, problems);
            if (carrier) {
                int challenges = count(m.kamailioLog(), "challenging INVITE") - challengesBefore;
                if (challenges != 1) {
                    problems.add("kamailio challenged " + challenges + " times (one, never a second try)");
                }
                observed += "; kamailio challenged once";
            }
            return problems.isEmpty() ? MatrixResult.pass(row, observed)
                    : MatrixResult.fail(row, observed + ": " + String.join("; ", problems), phone.output());
        }
    }

    /** "REGISTER 401, 200; INVITE 407, 180, 200; BYE 200" */
    private static String byMethod(List<String> statuses) {
        java.util.Map<String, List<String>> codes = new java.util.LinkedHashMap<>();
        for (String status : statuses) {
            String[] f = status.split(" ");
            codes.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
        }
        List<String> parts = new ArrayList<>();
        codes.forEach((method, list) -> parts.add(method + " " + String.join(", ", list)));
        return String.join("; ", parts);
    }

    private static void registerStatuses(Scenario row, List<String> statuses, List<String> problems) {
        List<String> register = statuses.stream().filter(s -> s.startsWith("REGISTER ")).toList();
        List<String> expected = row.digest() ? List.of("REGISTER 401", "REGISTER 200") : List.of("REGISTER 200");
        if (!register.equals(expected)) {
            problems.add("REGISTER answered " + register + ", expected " + expected);
        }
    }

    private MatrixResult call(Scenario row) throws Exception {
        Path directory = work.resolve("row-" + ROW.incrementAndGet());
        Path audio = Files.createDirectories(directory).resolve("phone.wav");
        Wav.write(audio, PHONE_SIGNAL);
        boolean carrier = row.kind() == Kind.KAMAILIO_CALL;
        Optional<CryptoSuite> suite = row.suite();
        String prefix = carrier ? MatrixProxy.TO_CARRIER : suite.isPresent() ? MatrixProxy.TO_FAR_SRTP : MatrixProxy.TO_FAR_RTP;
        int challengesBefore = count(m.kamailioLog(), "challenging INVITE");
        int authenticatedBefore = count(m.kamailioLog(), "authenticated INVITE");
        Queue<SessionReport> reports = new ConcurrentLinkedQueue<>();
        m.proxy.server.media().relay().onSessionEnded(reports::add);
        boolean video = row.kind() == Kind.VIDEO_CALL;
        try (RtpEndpoint media = new RtpEndpoint(MatrixProxy.FAR_END, suite);
                RtpEndpoint videoMedia = video ? new RtpEndpoint(MatrixProxy.FAR_END, suite) : null) {
            media.injectForgeriesAndReplays(10);
            Map<String, String> variables = new HashMap<>();
            variables.put("mediaPort", Integer.toString(media.port()));
            variables.put("suiteAction", suite.map(s -> "<ereg regexp=\"a=crypto:([0-9]+) " + s.sdesName()
                    + " inline:\" search_in=\"body\" check_it=\"true\" assign_to=\"c,tag\"/>").orElse("<!-- plain RTP -->"));
            variables.put("unusedVariables", suite.isPresent() ? "m,c" : "m");
            variables.put("answerLine", suite.map(s -> "a=crypto:[$tag] " + s.sdesName() + " inline:" + media.sendingKey())
                    .orElse("a=sendrecv"));
            variables.put("videoSection", video ? VideoRow.farEndSection(videoMedia, suite) : "");
            try (Sipp.Server far = Sipp.server("uas-media.xml", variables, "udp", MatrixProxy.FAR_END, m.farEndPort);
                    Baresip phone = phone(row, directory.resolve("phone"), audio)) {
                phone.start(40);
                if (!registered(phone, row.transport(), 15)) {
                    return MatrixResult.fail(row, "the phone did not register: " + statuses(phone, row.transport()),
                            phone.output());
                }
                phone.command("/dial " + dialUri(row, prefix));
                media.start(FAR_SIGNAL, 20);
                if (video) {
                    videoMedia.start(FAR_SIGNAL, 20);
                }
                ProcessOutput farEnd = far.finish();
                phone.command("/quit");
                phone.awaitExit(15);
                MatrixResult result = judgeCall(row, phone, farEnd, media, carrier, challengesBefore, authenticatedBefore);
                result = suite.isPresent() && result.passed() ? judgeInjected(row, result, media, reports) : result;
                return video && result.passed() ? VideoRow.judge(row, result, farEnd, videoMedia, reports) : result;
            }
        }
    }

    private MatrixResult judgeCall(Scenario row, Baresip phone, ProcessOutput farEnd, RtpEndpoint media, boolean carrier,
            int challengesBefore, int authenticatedBefore) throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> observed = new ArrayList<>();
        Transport transport = row.transport();
        List<String> statuses = statuses(phone, transport);
        observed.add(byMethod(statuses));
        registerStatuses(row, statuses, problems);
        List<String> invite = statuses.stream().filter(s -> s.startsWith("INVITE ") && !s.equals("INVITE 180")
                && !s.equals("INVITE 183")).toList();
        List<String> expectedInvite = row.digest() ? List.of("INVITE 407", "INVITE 200") : List.of("INVITE 200");
        if (!invite.equals(expectedInvite)) {
            problems.add("INVITE answered " + invite + ", expected " + expectedInvite);
        }
        if (farEnd.exitCode() != 0) {
            problems.add("the far end's call failed (sipp exit " + farEnd.exitCode() + ")");
        }
        if (carrier) {
            int challenges = count(m.kamailioLog(), "challenging INVITE") - challengesBefore;
            int authenticated = count(m.kamailioLog(), "authenticated INVITE") - authenticatedBefore;
            // the trunk leg's BYE must pass the carrier, which record-routes: one that went round it
            // would never get its 200 back (sipp answers where the INVITE came from) and would be
            // retransmitted into the next row's far end (issue 22)
            int byes = count(m.kamailioLog(), "in-dialog BYE " + lastAuthenticatedCallId(m.kamailioLog()) + " relayed");
            observed.add("carrier challenged " + challenges + ", authenticated " + authenticated + ", relayed the BYE " + byes);
            if (challenges != 1 || authenticated != 1) {
                problems.add("kamailio challenged " + challenges + " and authenticated " + authenticated + " INVITEs, expected 1 and 1");
            }
            if (byes != 1) {
                problems.add("kamailio relayed the trunk leg's BYE " + byes + " times, expected once (it record-routes)");
            }
        }

        // SDP: the phone's leg
        List<String> phoneReceived = cryptoLines(String.join("\n", received(phone, transport)));
        List<String> phoneSent = cryptoLines(String.join("\n", phone.messages(false, m.address(transport))));
        String phoneLeg;
        if (row.mode() == DeviceSecurityMode.ENCRYPTED) {
            Set<String> suites = new LinkedHashSet<>();
            phoneReceived.forEach(l -> suites.add(field(l, 2)));
            phoneLeg = "SRTP " + String.join("/", suites);
            if (!suites.equals(Set.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80.sdesName()))
                    || !phone.output().contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)")) {
                problems.add("phone leg: the phone was answered " + suites + " (expected AES_CM_128_HMAC_SHA1_80, and baresip enabling it)");
            }
        } else {
            phoneLeg = phoneReceived.isEmpty() ? "RTP" : "keys " + phoneReceived.size();
            if (!phoneReceived.isEmpty()) {
                problems.add("phone leg: a " + row.mode().label() + " phone was sent SRTP keys");
            }
        }

        // SDP: the far end's leg (sipp's trace: the relay's offer and our answer)
        List<String> farLines = cryptoLines(VideoRow.withoutVideo(farEnd.output()));
        String ourKey = media.sendingKey();
        List<String> relayOffered = farLines.stream().filter(l -> !field(l, 3).equals(ourKey)).distinct().toList();
        String relayKey = null;
        String trunkLeg;
        if (row.suite().isPresent()) {
            String name = row.suite().get().sdesName();
            List<String> relayKeys = relayOffered.stream().filter(l -> field(l, 2).equals(name)).map(l -> field(l, 3)).distinct().toList();
            relayKey = relayKeys.size() == 1 ? relayKeys.get(0) : null;
            boolean answered = farLines.stream().anyMatch(l -> field(l, 3).equals(ourKey));
            trunkLeg = "SRTP " + name;
            List<String> offeredSuites = relayOffered.stream().map(l -> field(l, 2)).distinct().toList();
            if (!offeredSuites.equals(row.offeredSuites())) {
                problems.add("trunk leg: the relay offered " + offeredSuites + ", SRTP Ciphers " + row.ciphers() + " is "
                        + row.offeredSuites());
            } else {
                trunkLeg += " (of " + offeredSuites.size() + " offered in policy order)";
            }
            if (relayKey == null || !answered) {
                problems.add("trunk leg: the relay offered " + relayKeys.size() + " keys for " + name + ", our answer "
                        + (answered ? "was" : "was not") + " sent");
            }
        } else {
            trunkLeg = relayOffered.isEmpty() ? "RTP" : "keys " + relayOffered.size();
            if (!relayOffered.isEmpty()) {
                problems.add("trunk leg: keys were offered to a trunk without SRTP Allowed");
            }
        }
        observed.add("phone " + phoneLeg + ", trunk " + trunkLeg);

        // keys: every one seen on one leg appears nowhere on the other
        Set<String> phoneKeys = new LinkedHashSet<>();
        phoneReceived.forEach(l -> phoneKeys.add(field(l, 3)));
        phoneSent.forEach(l -> phoneKeys.add(field(l, 3)));
        Set<String> farKeys = new LinkedHashSet<>();
        farLines.forEach(l -> farKeys.add(field(l, 3)));
        Set<String> shared = new LinkedHashSet<>(phoneKeys);
        shared.retainAll(farKeys);
        Set<String> phoneGot = new LinkedHashSet<>();
        phoneReceived.forEach(l -> phoneGot.add(field(l, 3)));
        boolean echoed = phoneSent.stream().anyMatch(l -> phoneGot.contains(field(l, 3)));
        if (echoed) {
            problems.add("the phone was answered with its own key");
        }
        if (!shared.isEmpty()) {
            problems.add(shared.size() + " key(s) appear on both legs");
        } else if (!phoneKeys.isEmpty() && !farKeys.isEmpty()) {
            observed.add("keys differ per leg (" + phoneKeys.size() + " on the phone's, " + farKeys.size() + " on the trunk's)");
        }

        // audio, both ways: 1 s from the middle of each signal, found in what the other end decoded
        media.failure().ifPresent(f -> problems.add("far-end media: " + f));
        int[] rejected = new int[1];
        short[] farHeard = row.suite().isPresent() && relayKey == null ? new short[0] : media.decoded(relayKey, rejected);
        double heardByFar = Wav.bestCorrelation(Arrays.copyOfRange(PHONE_SIGNAL, 6000, 14000), farHeard);
        double heardByPhone = 0;
        try {
            heardByPhone = Wav.bestCorrelation(Arrays.copyOfRange(FAR_SIGNAL, 6000, 14000), Wav.read(phone.decodedRecording()));
        } catch (AssertionError | java.io.IOException none) {
            problems.add("the phone recorded nothing");
        }
        observed.add(String.format(Locale.ROOT, "heard: far end %.2f, phone %.2f", heardByFar, heardByPhone));
        if (rejected[0] > 0) {
            observed.add(rejected[0] + " packets failed libsrtp2's check");
        }
        // the measure tells signals apart: the far end's own signal is not in what it heard
        double unrelated = Wav.bestCorrelation(Arrays.copyOfRange(FAR_SIGNAL, 6000, 14000), farHeard);
        if (unrelated >= 0.5) {
            problems.add(String.format(Locale.ROOT, "an unrelated signal correlates %.2f with what the far end heard", unrelated));
        }
        if (heardByFar < HEARD || heardByPhone < HEARD) {
            problems.add("audio not carried both ways (far end received " + media.packetsReceived() + " packets)");
        }
        String text = String.join("; ", observed);
        return problems.isEmpty() ? MatrixResult.pass(row, text)
                : MatrixResult.fail(row, text + ": " + String.join("; ", problems),
                        "phone:\n" + phone.output() + "\nfar end:\n" + farEnd.output()
                                + (carrier ? "\nkamailio:\n" + m.kamailioLog() : ""));
    }

    /**
     * The far end also forged and replayed packets from its latched address: the relay's leg
     * towards it must have dropped and counted exactly those, while the audio (judged above) went on.
     */
    private static MatrixResult judgeInjected(Scenario row, MatrixResult call, RtpEndpoint media,
            Queue<SessionReport> reports) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (reports.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        SessionReport report = reports.stream().filter(r -> !r.label().endsWith(" video")).findFirst().orElse(null);
        if (report == null) {
            return MatrixResult.fail(row, call.observed() + ": the relay session did not end", "");
        }
        LegCounters farLeg = report.leg(RelaySide.B);
        String observed = call.observed() + "; " + farLeg.authFailures() + " forged and " + farLeg.replays()
                + " replayed packets dropped and counted";
        if (farLeg.authFailures() != media.forgedSent() || farLeg.replays() != media.replaysSent()) {
            return MatrixResult.fail(row, observed + ": the far end forged " + media.forgedSent() + " and replayed "
                    + media.replaysSent(), report.toString());
        }
        return MatrixResult.pass(row, observed);
    }

    /** The Call-ID of the INVITE kamailio authenticated last (this row's trunk leg), or "?". */
    private static String lastAuthenticatedCallId(String kamailioLog) {
        Matcher matcher = KAMAILIO_AUTHENTICATED.matcher(kamailioLog);
        String callId = "?";
        while (matcher.find()) {
            callId = matcher.group(1);
        }
        return callId;
    }

    private static List<String> cryptoLines(String text) {
        List<String> lines = new ArrayList<>();
        Matcher matcher = CRYPTO.matcher(text);
        while (matcher.find()) {
            lines.add(matcher.group());
        }
        return lines;
    }

    /** Field 1 is the tag, 2 the suite, 3 the key of an a=crypto line. */
    private static String field(String cryptoLine, int field) {
        Matcher matcher = CRYPTO.matcher(cryptoLine);
        return matcher.find() ? matcher.group(field) : "";
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }
}
