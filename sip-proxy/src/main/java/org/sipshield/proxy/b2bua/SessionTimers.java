package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.SipException;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.sipshield.config.CallLimits;
import org.sipshield.config.SessionTimerSettings;
import org.sipshield.proxy.pipeline.CallAdmission;
import org.sipshield.proxy.security.SecurityModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clocks of answered calls: RFC 4028 session timers on each leg on its own (SessionTimer
 * computes them) and the maximum call duration of the caller's and the target's limits. They run
 * on one scheduler thread of their own, never on a jain-sip thread; a task that fires takes the
 * call's monitor like any other event and checks it is still the task of the leg's last refresh
 * (a refresh that raced with it bumps the leg's generation). A leg whose peer stops refreshing, or
 * that no longer answers our refresh, ends the call with BYE and a Reason on both legs: this is how a
 * call on hold between vanished phones ends, since the media timeout spares held calls.
 * Every method but the tasks is called under the call's monitor.
 */
final class SessionTimers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTimers.class);
    private static final Logger CALLS = LoggerFactory.getLogger("sipshield.calls");
    static final String EXPIRED_REASON = "SIP;cause=408;text=\"Session timer expired\"";
    static final String MAX_DURATION_REASON = "SIP;cause=408;text=\"Maximum call duration reached\"";

    /** One call's clocks, under the call's monitor. */
    static final class State {
        final SessionTimer[] legs = new SessionTimer[2];
        final long[] generation = new long[2];
        final ScheduledFuture<?>[] tasks = new ScheduledFuture<?>[4];
        ScheduledFuture<?> maxDuration;
        /** The Session-Expires our INVITE to leg B asks for (0: not yet sent); a 422 raises it once. */
        int askedB;
        /** Concurrent-call slots the call holds (AdmissionControl's and the target's), given back when it ends. */
        final java.util.List<CallAdmission.Lease> leases = new java.util.ArrayList<>(2);
    }

    private final Supplier<SecurityModel> model;
    private final SipMessaging sip;
    private final LegRequests legRequests;
    private final CallRegistry registry;
    private final CallTermination termination;
    private final ScheduledExecutorService scheduler = scheduler();

    /**
     * One thread; a cancelled task leaves the queue at once: a call's tasks capture the call, and an
     * ended call's 30-minute timers must not keep it (its dialogs and transactions) in memory.
     */
    private static ScheduledExecutorService scheduler() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "sipshield-call-timers");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    SessionTimers(Supplier<SecurityModel> model, SipMessaging sip, LegRequests legRequests, CallRegistry registry,
            CallTermination termination) {
        this.model = model;
        this.sip = sip;
        this.legRequests = legRequests;
        this.registry = registry;
        this.termination = termination;
    }

    SessionTimerSettings settings() {
        return model.get().config().sessionTimers();
    }

    /**
     * A request from a peer asking for a session interval below our Min-SE (a first INVITE, or a
     * refresh in a dialog) is answered 422 with our Min-SE (RFC 4028 9); true when it was.
     */
    boolean refuseTooSmall(Request request, javax.sip.ServerTransaction transaction)
            throws ParseException, SipException, javax.sip.InvalidArgumentException {
        if (!SessionTimer.tooSmall(request, settings())) {
            return false;
        }
        Response response = sip.messages.createResponse(422, request);
        response.setReasonPhrase("Session Interval Too Small");
        response.addHeader(sip.headers.createHeader(SessionTimer.MIN_SE, Integer.toString(settings().minSE())));
        javax.sip.header.ToHeader to = (javax.sip.header.ToHeader) response.getHeader(javax.sip.header.ToHeader.NAME);
        if (to.getTag() == null) {
            to.setTag(SipMessaging.newTag());
        }
        transaction.sendResponse(response);
        return true;
    }

    /** Headers of our INVITE towards leg B. */
    void offer(Call call, Request invite) throws ParseException {
        if (call.timers.askedB == 0) {
            call.timers.askedB = settings().sessionExpires();
        }
        SessionTimer.offer(invite, call.timers.askedB, settings(), sip.headers);
    }

    /** Leg B refused our interval with 422: true when its Min-SE is one we accept and have not asked for yet. */
    boolean raiseAfter422(Call call, Response response) {
        int wanted = SessionTimer.minSeOf(response);
        if (wanted <= call.timers.askedB || wanted > 86400) {
            return false;
        }
        CALLS.info("{}: leg B wants a session interval of at least {} s (422)", call, wanted);
        call.timers.askedB = wanted;
        return true;
    }

    /**
     * Leg B's INVITE again after its 422, asking for the raised interval: the same Call-ID and tags
     * with the next CSeq and a fresh Via branch (a new transaction, RFC 3261 8.1.3.5), as a trunk's
     * challenge is answered, so the far end sees one call retried and not a second call.
     */
    Request retry(Call call, javax.sip.SipProvider provider) throws ParseException, javax.sip.InvalidArgumentException {
        Request retry = (Request) call.requestB.clone();
        retry.removeHeader(javax.sip.header.ViaHeader.NAME);
        var point = provider.getListeningPoints()[0];
        retry.addHeader(sip.headers.createViaHeader(sip.localHost(provider), point.getPort(), point.getTransport(), null));
        javax.sip.header.CSeqHeader cseq = (javax.sip.header.CSeqHeader) retry.getHeader(javax.sip.header.CSeqHeader.NAME);
        cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        retry.removeHeader("Supported");
        SessionTimer.offer(retry, call.timers.askedB, settings(), sip.headers);
        return retry;
    }

    /** The call is answered (leg B's 2xx): each leg's timer is settled and started, and the maximum duration. */
    void answered(Call call, Response fromB) {
        SessionTimerSettings settings = settings();
        call.timers.legs[0] = SessionTimer.asUas(call.inviteA.getRequest(), settings, call.updateAllowedA);
        call.timers.legs[1] = SessionTimer.asUac(fromB, call.timers.askedB, settings, call.updateAllowedB);
        restart(call, Call.Side.A);
        restart(call, Call.Side.B);
        int limit = shortest(CallAdmission.limitsOf(call.caller), CallAdmission.limitsOf(call.target.peer()));
        if (limit > 0) {
            call.timers.maxDuration = scheduler.schedule(() -> endForMaxDuration(call, limit), limit, TimeUnit.SECONDS);
        }
    }

    private static int shortest(CallLimits a, CallLimits b) {
        int x = a.maxCallDurationSeconds();
        int y = b.maxCallDurationSeconds();
        return x == 0 ? y : y == 0 ? x : Math.min(x, y);
    }

    /** A 2xx to a re-INVITE or UPDATE on this leg, in either direction: the leg's session was refreshed. */
    void refreshed(Call call, Call.Side side) {
        if (call.timers.legs[side.ordinal()] != null && !call.isEnded()) {
            restart(call, side);
        }
    }

    /** A request we send on the leg that can refresh it carries its Session-Expires (RFC 4028 7.4). */
    void onRequest(Call call, Call.Side towards, Request request) throws ParseException {
        SessionTimer timer = call.timers.legs[towards.ordinal()];
        if (timer != null && isRefresh(request.getMethod())) {
            request.addHeader(sip.headers.createHeader("Supported", "timer"));
            request.setHeader(sip.headers.createHeader(SessionTimer.SESSION_EXPIRES, timer.asUacValue()));
        }
    }

    /** Our 2xx to a refresh (or to the first INVITE) on the leg states the interval again (RFC 4028 9). */
    void onAnswer(Call call, Call.Side to, Request answered, Response response) throws ParseException {
        SessionTimer timer = call.timers.legs[to.ordinal()];
        if (timer == null || !isRefresh(answered.getMethod()) || response.getStatusCode() >= 300) {
            return;
        }
        response.setHeader(sip.headers.createHeader(SessionTimer.SESSION_EXPIRES, timer.asUasValue()));
        if (SessionTimer.supportsTimer(answered)) {
            response.addHeader(sip.headers.createHeader("Require", "timer"));
        }
    }

    /** Ending the call stops its clocks and gives back its admission slots (CallTermination.end). */
    static void stop(Call call) {
        for (int i = 0; i < call.timers.tasks.length; i++) {
            cancel(call.timers.tasks[i]);
            call.timers.tasks[i] = null;
        }
        cancel(call.timers.maxDuration);
        call.timers.generation[0]++;
        call.timers.generation[1]++;
        call.timers.leases.forEach(CallAdmission.Lease::release);
        call.timers.leases.clear();
    }

    private static boolean isRefresh(String method) {
        return Request.INVITE.equals(method) || Request.UPDATE.equals(method);
    }

    private void restart(Call call, Call.Side side) {
        int leg = side.ordinal();
        SessionTimer timer = call.timers.legs[leg];
        cancel(call.timers.tasks[leg * 2]);
        cancel(call.timers.tasks[leg * 2 + 1]);
        if (timer == null) {
            return;
        }
        long generation = ++call.timers.generation[leg];
        call.timers.tasks[leg * 2] = scheduler.schedule(() -> expire(call, side, generation), timer.expireAfterMillis(),
                TimeUnit.MILLISECONDS);
        call.timers.tasks[leg * 2 + 1] = timer.refresher() == SessionTimer.Refresher.US
                ? scheduler.schedule(() -> refresh(call, side, generation), timer.refreshAfterMillis(), TimeUnit.MILLISECONDS)
                : null;
    }

    private void expire(Call call, Call.Side side, long generation) {
        synchronized (call) {
            if (call.isEnded() || call.timers.generation[side.ordinal()] != generation) {
                return;
            }
            CALLS.info("{}: session timer of leg {} expired without a refresh ({} s)", call, side,
                    call.timers.legs[side.ordinal()].seconds());
            termination.endForTimer(call, EXPIRED_REASON);
        }
    }

    private void endForMaxDuration(Call call, int seconds) {
        synchronized (call) {
            if (call.isEnded()) {
                return;
            }
            CALLS.info("{}: maximum call duration of {} s reached", call, seconds);
            termination.endForTimer(call, MAX_DURATION_REASON);
        }
    }

    /** We are the leg's refresher: an UPDATE without a body; its 2xx restarts the leg (TransactionRelay). */
    private void refresh(Call call, Call.Side side, long generation) {
        synchronized (call) {
            if (call.isEnded() || call.timers.generation[side.ordinal()] != generation) {
                return;
            }
            Dialog dialog = call.dialog(side);
            try {
                Request update = legRequests.inDialog(dialog, Request.UPDATE, call.provider(side));
                onRequest(call, side, update);
                ClientTransaction transaction = call.provider(side).getNewClientTransaction(update);
                registry.relay(transaction, new CallRegistry.Relay(null, call, side));
                dialog.sendRequest(transaction);
                LOG.debug("{}: session refresh (UPDATE) on leg {}", call, side);
            } catch (SipException | ParseException | RuntimeException e) {
                // no refresh this time: the leg's expiry still ends the call if none succeeds
                LOG.debug("{}: session refresh on leg {}: {}", call, side, e.getMessage());
            }
        }
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
