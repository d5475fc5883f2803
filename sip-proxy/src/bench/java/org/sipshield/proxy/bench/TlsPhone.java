package org.sipshield.proxy.bench;

import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.ListIterator;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.sipshield.digest.DigestAlgorithm;
import org.sipshield.digest.DigestAnswer;
import org.sipshield.digest.DigestChallenge;
import org.sipshield.digest.DigestClient;
import org.sipshield.digest.DigestHeaderKind;
import org.sipshield.digest.DigestParseException;
import org.sipshield.digest.SipRealmCredentials;

/**
 * One phone on its own TLS connection: registers with digest (REGISTER, 401, REGISTER with MD5
 * qop=auth credentials, 200) each time the schedule asks, one registration at a time on its
 * connection, as a phone re-registers; a request the schedule asks for while one is in progress
 * waits for it. Runs on its channel's event loop only, so its fields need no lock. Sharable only
 * in that a phone whose connection the proxy closed gets a new one (one pipeline at a time).
 */
@ChannelHandler.Sharable
final class TlsPhone extends SimpleChannelInboundHandler<byte[]> {
    private enum State { IDLE, CHALLENGED, CREDENTIALS_SENT }

    private final String number;
    private final String proxy;
    private final LoadStats stats;
    private final long timeoutMillis;
    private final DigestClient digest;
    private final StringMsgParser parser = new StringMsgParser();
    private final String callId;
    private final String fromTag;
    private Channel channel;
    private String sentBy;
    private State state = State.IDLE;
    private boolean closed;
    private long cseq;
    private int queued;
    private long credentialsSentNanos;
    private ScheduledFuture<?> timer;

    /** password: gen.py's convention, "pw" + number; proxy: host:port, also the Request-URI and digest uri. */
    TlsPhone(String number, String password, String proxy, LoadStats stats, long timeoutMillis, SecureRandom random) {
        this.number = number;
        this.proxy = proxy;
        this.stats = stats;
        this.timeoutMillis = timeoutMillis;
        // any realm the proxy names: sipshield's and Kamailio's differ only in what they call it
        this.digest = new DigestClient(realm -> Optional.of(new SipRealmCredentials(realm, number, password.toCharArray())), random);
        byte[] id = new byte[8];
        random.nextBytes(id);
        this.callId = HexFormat.of().formatHex(id) + "-" + number + "@sigbench";
        this.fromTag = "t" + number + HexFormat.of().formatHex(id, 0, 3);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();   // a new connection after the proxy closed the last one (see TlsRegisterLoad)
        closed = false;
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        sentBy = local.getAddress().getHostAddress() + ":" + local.getPort();
        super.channelActive(ctx);
    }

    /** The schedule asks for a registration (any thread). */
    void register() {
        Channel c = channel;
        if (c == null) {
            stats.failed("no-connection");
            return;
        }
        c.eventLoop().execute(() -> {
            if (closed) {
                stats.failed("connection-closed");
            } else if (state != State.IDLE) {
                queued++;
            } else {
                send(null);
            }
        });
    }

    String deviceName() {
        return "BENCH" + number;
    }

    private void send(String authorization) {
        cseq++;
        state = authorization == null ? State.CHALLENGED : State.CREDENTIALS_SENT;
        String text = "REGISTER sip:" + proxy + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + sentBy + ";branch=z9hG4bK" + callId.substring(0, 16) + "." + cseq + ";rport\r\n"
                + "From: <sip:" + number + "@" + host() + ">;tag=" + fromTag + "\r\n"
                + "To: <sip:" + number + "@" + host() + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:" + number + "@" + sentBy + ";transport=tls>\r\n"
                + "Expires: 600\r\nMax-Forwards: 70\r\nUser-Agent: sigbench-tls\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Length: 0\r\n\r\n";
        long sequence = cseq;
        if (timer != null) {
            timer.cancel(false);
        }
        timer = channel.eventLoop().schedule(() -> timeout(sequence), timeoutMillis, TimeUnit.MILLISECONDS);
        if (authorization != null) {
            credentialsSentNanos = System.nanoTime();
        }
        channel.writeAndFlush(ByteBufUtil.writeAscii(channel.alloc(), text));
    }

    private String host() {
        return proxy.substring(0, proxy.lastIndexOf(':'));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, byte[] bytes) {
        SIPMessage message;
        try {
            message = parser.parseSIPMessage(bytes, true, false, null);
        } catch (ParseException e) {
            end(() -> stats.failed("unparseable-response"));
            return;
        }
        if (!(message instanceof SIPResponse response) || state == State.IDLE
                || response.getCSeq() == null || response.getCSeq().getSeqNumber() != cseq) {
            return;   // a request from the proxy, or a late answer to a registration already counted
        }
        int code = response.getStatusCode();
        if (code < 200) {
            return;
        }
        if (state == State.CHALLENGED && code == 401) {
            answerChallenge(response);
        } else if (state == State.CREDENTIALS_SENT && code == 200) {
            long latency = System.nanoTime() - credentialsSentNanos;
            end(() -> stats.ok(latency));
        } else {
            end(() -> stats.failed(code + "-to-" + (state == State.CHALLENGED ? "first-register" : "credentials")));
        }
    }

    /** Answers only MD5 challenges (the benchmark's job: the users' HA1s are MD5 on both proxies). */
    private void answerChallenge(SIPResponse response) {
        List<String> md5 = new ArrayList<>();
        ListIterator<SIPHeader> headers = response.getHeaders(DigestHeaderKind.WWW_AUTHENTICATE.challengeHeader());
        while (headers != null && headers.hasNext()) {
            String value = headers.next().getHeaderValue();
            try {
                if (DigestChallenge.parse(value).algorithm().orElse(null) == DigestAlgorithm.MD5) {
                    md5.add(value);
                }
            } catch (DigestParseException e) {
                // another challenge of the same 401 may do
            }
        }
        DigestAnswer answer = digest.answer(DigestHeaderKind.WWW_AUTHENTICATE, md5, "REGISTER", "sip:" + proxy);
        if (answer.answered()) {
            send(answer.headerValue().orElseThrow());
        } else {
            end(() -> stats.failed("no-md5-challenge-" + answer.status()));
        }
    }

    private void timeout(long sequence) {
        if (state != State.IDLE && sequence == cseq) {
            end(stats::timedOut);
        }
    }

    /** Ends the registration in progress (counted once, by outcome) and starts the next one waiting. */
    private void end(Runnable outcome) {
        outcome.run();
        state = State.IDLE;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (queued > 0 && !closed) {
            queued--;
            send(null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        if (!stats.stopping()) {
            System.err.printf("%s: connection %s closed by the proxy (%s, %d registrations waiting)%n", deviceName(), sentBy, state, queued);
        }
        if (state != State.IDLE) {
            String during = state.name().toLowerCase(java.util.Locale.ROOT);
            end(() -> stats.failed("connection-closed-" + during));
        }
        for (; queued > 0; queued--) {
            stats.failed("connection-closed-queued");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.connectionError(cause.getClass().getSimpleName());
        ctx.close();   // channelInactive counts the registrations it ends
    }
}
