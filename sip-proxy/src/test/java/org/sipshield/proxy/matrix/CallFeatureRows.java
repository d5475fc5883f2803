package org.sipshield.proxy.matrix;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sipshield.proxy.peers.FreePorts;
import org.sipshield.proxy.peers.ProcessOutput;
import org.sipshield.proxy.peers.Sipp;

/**
 * The rows of what happens inside a call, signalling only (sipp on both sides): session timers
 * negotiated and refreshed through the proxy, and a blind transfer, where the far end must be given
 * a Refer-To it can reach (us) and the phone must get the far end's sipfrag NOTIFYs. The phone is
 * the row's UDP Non Secure phone without digest, registered from where it then speaks.
 */
final class CallFeatureRows {
    private static final Pattern REFER_TO = Pattern.compile("(?m)^Refer-To: <sip:([^@>]+)@([^:;>]+):(\\d+)[^>]*>");
    /** Session-Expires and Min-SE of the row: RFC 4028's floor, which the proxy's defaults accept. */
    private static final String EXPIRES = "90";

    private final MatrixProxy m;

    CallFeatureRows(MatrixProxy m) {
        this.m = m;
    }

    MatrixResult run(Scenario row) throws Exception {
        return row.kind() == Scenario.Kind.SESSION_TIMER ? sessionTimer(row) : transfer(row);
    }

    private String registeredPhone(Scenario row, int port) {
        String number = MatrixProxy.number(row.transport(), row.mode(), row.digest());
        ProcessOutput register = Sipp.client("register-open.xml", Map.of("dn", number, "expect", "200",
                "contact", "sip:" + number + "@127.0.0.1:" + port), "udp", "127.0.0.1", "127.0.0.1", m.proxy.sipPort,
                "-p", Integer.toString(port));
        return register.exitCode() == 0 ? number : null;
    }

    /** The phone calls the far end with Session-Expires; its two refreshing UPDATEs must cross and be answered. */
    private MatrixResult sessionTimer(Scenario row) {
        int port = FreePorts.udpAndTcp();
        String number = registeredPhone(row, port);
        if (number == null) {
            return MatrixResult.fail(row, "the phone did not register");
        }
        try (Sipp.Server far = Sipp.server("uas-session-timer-refreshed.xml", Map.of("expires", EXPIRES), "udp",
                MatrixProxy.FAR_END, m.farEndPort)) {
            ProcessOutput phone = Sipp.client("uac-session-timer-refresh.xml", Map.of("caller", number, "called",
                    MatrixProxy.TO_FAR_RTP + "900", "expires", EXPIRES, "refreshMillis", "300", "updateExpires", EXPIRES,
                    "updateAnswer", "200"), "udp", "127.0.0.1", "127.0.0.1", m.proxy.sipPort, "-p", Integer.toString(port));
            ProcessOutput farEnd = far.finish();
            long updates = Sipp.tracedMessages(farEnd.output(), true).stream().filter(msg -> msg.startsWith("UPDATE "))
                    .distinct().count();
            String observed = "INVITE 200 with Session-Expires; UPDATEs at the far end " + updates + "; phone exit "
                    + phone.exitCode() + ", far end exit " + farEnd.exitCode();
            if (phone.exitCode() == 0 && farEnd.exitCode() == 0 && updates == 2) {
                return MatrixResult.pass(row, observed);
            }
            return MatrixResult.fail(row, observed, phone.output() + "\nfar end:\n" + farEnd.output());
        }
    }

    /**
     * The far end calls the phone, which transfers it (REFER, Refer-To in its own PBX's domain); the
     * far end calls the Refer-To it was given, which must name the proxy, and reaches another number.
     */
    private MatrixResult transfer(Scenario row) throws Exception {
        int port = FreePorts.udpAndTcp();
        String number = registeredPhone(row, port);
        if (number == null) {
            return MatrixResult.fail(row, "the phone did not register");
        }
        String target = MatrixProxy.TO_FAR_RTP + "901";
        try (Sipp.Server phone = Sipp.server("uas-transferor.xml", Map.of("dn", number, "referTo",
                "<sip:" + target + "@pbx.example>"), "udp", "127.0.0.1", port);
                Sipp.Server carrier = Sipp.startClient("uac-transferee.xml", Map.of("caller", "5550100", "called", number),
                        "udp", MatrixProxy.FAR_END, "127.0.0.1", m.proxy.sipPort)) {
            // a message is in the trace as sipp writes it: wait for the REFER's Refer-To line too
            String refer = awaitReceived(carrier, "REFER ", msg -> REFER_TO.matcher(msg).find());
            Matcher referTo = REFER_TO.matcher(refer == null ? "" : refer);
            if (!referTo.find() || !referTo.group(2).equals("127.0.0.1") || Integer.parseInt(referTo.group(3)) != m.proxy.sipPort) {
                return MatrixResult.fail(row, "the far end got no Refer-To naming the proxy", carrier.messages());
            }
            ProcessOutput transferred;
            try (Sipp.Server far = Sipp.server("uas-call.xml", Map.of(), "udp", MatrixProxy.FAR_END, m.farEndPort)) {
                transferred = Sipp.client("uac-call.xml", Map.of("caller", "5550100", "called", referTo.group(1)), "udp",
                        MatrixProxy.FAR_END, referTo.group(2), Integer.parseInt(referTo.group(3)));
                far.finish();
            }
            ProcessOutput phoneSide = phone.finish();
            ProcessOutput carrierSide = carrier.finish();
            List<String> notifies = Sipp.tracedMessages(phoneSide.output(), true).stream()
                    .filter(msg -> msg.startsWith("NOTIFY ")).distinct().toList();
            boolean reported = notifies.size() == 2 && notifies.get(1).contains("SIP/2.0 200 OK");
            String observed = "REFER 202; Refer-To " + referTo.group(1) + " at the proxy; new call "
                    + (transferred.exitCode() == 0 ? "200" : "failed") + "; NOTIFYs at the phone " + notifies.size();
            if (transferred.exitCode() == 0 && phoneSide.exitCode() == 0 && carrierSide.exitCode() == 0 && reported) {
                return MatrixResult.pass(row, observed);
            }
            return MatrixResult.fail(row, observed, phoneSide.output() + "\nfar end:\n" + carrierSide.output()
                    + "\nnew call:\n" + transferred.output());
        }
    }

    private static String awaitReceived(Sipp.Server peer, String start) throws InterruptedException {
        return awaitReceived(peer, start, msg -> true);
    }

    /**
     * The first traced message that starts so and is complete enough for {@code complete}; bounded:
     * 20 s. The trace is read once more after sipp has ended: a scenario can run to its end before
     * the first look (it did on a busy machine, in 0.1 s).
     */
    private static String awaitReceived(Sipp.Server peer, String start, java.util.function.Predicate<String> complete)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean ended = !peer.process().isAlive();
            var found = Sipp.tracedMessages(peer.messages(), true).stream()
                    .filter(msg -> msg.startsWith(start) && complete.test(msg)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (ended) {
                return null;
            }
            Thread.sleep(20);
        }
        return null;
    }
}
