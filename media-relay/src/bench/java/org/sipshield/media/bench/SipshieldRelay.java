package org.sipshield.media.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.sipshield.media.LegMedia;
import org.sipshield.media.MediaRelay;
import org.sipshield.media.MediaRelayOptions;
import org.sipshield.media.PortRange;
import org.sipshield.media.RelaySession;
import org.sipshield.media.RelaySide;
import org.sipshield.srtp.SdesAnswer;
import org.sipshield.srtp.SdesOffer;
import org.sipshield.srtp.SdesSelection;
import org.sipshield.srtp.SrtpEngine;

/** Our relay, in this JVM; its CPU is the CPU time of its event-loop threads. */
final class SipshieldRelay implements RelayUnderTest {
    private final MediaRelay relay;
    private final List<RelaySession> sessions = new ArrayList<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    SipshieldRelay(int threadsCount) {
        MediaRelayOptions d = MediaRelayOptions.defaults(InetAddress.getLoopbackAddress(), new PortRange(10000, 29999));
        relay = MediaRelay.start(new MediaRelayOptions(d.bindAddress(), d.ports(), java.time.Duration.ofSeconds(3600),
                d.latching(), d.engine(), threadsCount));
    }

    @Override
    public String name() {
        return "sipshield";
    }

    @Override
    public Stream open(int index, InetSocketAddress sender, InetSocketAddress receiver) {
        RelaySession session = relay.openSession("bench " + index, null);
        sessions.add(session);
        // leg A: the phone offers, the relay answers
        SdesOffer phoneOffer = Keys.negotiator(Keys.LEG_A).createOffer();
        SdesAnswer relayAnswer = Keys.negotiator(Keys.LEG_A).answer(phoneOffer.sdpLines());
        SdesSelection phoneA = phoneOffer.accept(relayAnswer.answerLine().orElseThrow()).selection().orElseThrow();
        // leg B: the relay offers, the phone answers
        SdesOffer relayOffer = Keys.negotiator(Keys.LEG_B).createOffer();
        SdesAnswer phoneAnswer = Keys.negotiator(Keys.LEG_B).answer(relayOffer.sdpLines());
        SdesSelection relayB = relayOffer.accept(phoneAnswer.answerLine().orElseThrow()).selection().orElseThrow();
        phoneAnswer.selection().orElseThrow().discard();
        session.configure(RelaySide.A, LegMedia.srtp(sender, null, true, relayAnswer.selection().orElseThrow()));
        session.configure(RelaySide.B, LegMedia.srtp(receiver, null, true, relayB));
        SdesSelection unusedInbound = phoneA;
        return new Stream(index, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                session.leg(RelaySide.A).localRtpPort()), unusedInbound.openOutbound(SrtpEngine.OPENSSL));
    }

    @Override
    public void closeStreams() {
        sessions.forEach(RelaySession::close);
        sessions.clear();
    }

    @Override
    public double cpuSeconds() {
        long nanos = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("multiThreadIoEventLoopGroup")) {
                nanos += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return nanos / 1e9;
    }

    @Override
    public long allocatedBytes() {
        long bytes = 0;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) threads;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("multiThreadIoEventLoopGroup")) {
                bytes += Math.max(0, mx.getThreadAllocatedBytes(info.getThreadId()));
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        closeStreams();
        relay.close();
    }
}
