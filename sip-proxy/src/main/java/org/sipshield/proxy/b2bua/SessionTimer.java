package org.sipshield.proxy.b2bua;

import java.text.ParseException;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Message;
import org.sipshield.config.SessionTimerSettings;

/**
 * RFC 4028 on one leg, as arithmetic and headers only (no clock, no call): what interval and
 * refresher a leg's first INVITE transaction settles on, when the refresher must refresh, and when
 * the other side gives up. SessionTimers schedules what this computes.
 *
 * @param seconds   the negotiated Session-Expires of the leg
 * @param refresher who refreshes: this proxy (by UPDATE) or the leg's peer (re-INVITE or UPDATE)
 */
record SessionTimer(int seconds, Refresher refresher) {
    enum Refresher {
        US, PEER
    }

    static final String SESSION_EXPIRES = "Session-Expires";
    static final String MIN_SE = "Min-SE";

    /** RFC 4028 10.2: the refresher sends its refresh half way through the interval. */
    long refreshAfterMillis() {
        return seconds * 1000L / 2;
    }

    /**
     * RFC 4028 10.3: without a refresh, the session ends at Session-Expires minus the lesser of 32 s
     * and a third of it, so a refresh still on its way (transaction timers) is not mistaken for none.
     */
    long expireAfterMillis() {
        return seconds * 1000L - Math.min(32_000L, seconds * 1000L / 3);
    }

    /** The Session-Expires value this leg's peer must see on a request we send it (we are its UAC). */
    String asUacValue() {
        return seconds + ";refresher=" + (refresher == Refresher.US ? "uac" : "uas");
    }

    /** The Session-Expires value of our answer to the peer's request (we are its UAS). */
    String asUasValue() {
        return seconds + ";refresher=" + (refresher == Refresher.US ? "uas" : "uac");
    }

    /**
     * Leg A: we answer the caller's INVITE. A Session-Expires below our Min-SE was refused with 422
     * before (see {@link #tooSmall}). We may shorten the caller's interval to ours but never below
     * either Min-SE; the refresher is the caller's choice, else the caller when it supports timers,
     * else us. Null when no timer runs on the leg: we would have to refresh a peer that allows no
     * UPDATE (a re-INVITE of ours would have to carry SDP we do not keep, it holds SRTP keys).
     */
    static SessionTimer asUas(Message invite, SessionTimerSettings settings, boolean peerAllowsUpdate) {
        if (!settings.enabled()) {
            return null;
        }
        String asked = value(invite, SESSION_EXPIRES);
        int floor = Math.max(settings.minSE(), deltaSeconds(value(invite, MIN_SE), 0));
        int seconds = asked == null ? settings.sessionExpires()
                : Math.max(floor, Math.min(deltaSeconds(asked, settings.sessionExpires()), settings.sessionExpires()));
        String choice = refresherParameter(asked);
        Refresher refresher;
        if ("uac".equals(choice)) {
            refresher = Refresher.PEER;
        } else if ("uas".equals(choice)) {
            refresher = Refresher.US;
        } else {
            refresher = supportsTimer(invite) ? Refresher.PEER : Refresher.US;
        }
        return refresher == Refresher.US && !peerAllowsUpdate ? null : new SessionTimer(seconds, refresher);
    }

    /**
     * Leg B: the 2xx to our INVITE. Its Session-Expires (and refresher) is what the far end settled
     * on; a 2xx without one comes from a UAS without timers, and we refresh ourselves. Null as in
     * {@link #asUas} when we would refresh a peer that allows no UPDATE.
     */
    static SessionTimer asUac(Message answer, int asked, SessionTimerSettings settings, boolean peerAllowsUpdate) {
        if (!settings.enabled()) {
            return null;
        }
        String settled = value(answer, SESSION_EXPIRES);
        int seconds = settled == null ? asked : Math.max(1, deltaSeconds(settled, asked));
        Refresher refresher = settled != null && "uas".equals(refresherParameter(settled)) ? Refresher.PEER : Refresher.US;
        return refresher == Refresher.US && !peerAllowsUpdate ? null : new SessionTimer(seconds, refresher);
    }

    /** The Session-Expires of a request below our Min-SE: it gets 422 with our Min-SE (RFC 4028 9). */
    static boolean tooSmall(Message request, SessionTimerSettings settings) {
        String asked = value(request, SESSION_EXPIRES);
        return settings.enabled() && asked != null && deltaSeconds(asked, Integer.MAX_VALUE) < settings.minSE();
    }

    /** The Min-SE a 422 asks for, or 0 when it names none. */
    static int minSeOf(Message response) {
        return deltaSeconds(value(response, MIN_SE), 0);
    }

    /**
     * The headers of our INVITE towards leg B: we support timers, ask for our interval and ask the
     * far end to refresh (RFC 4028 9: a UAS with timers keeps the refresher the request names). So a
     * far end with timers never makes us the refresher of a dialog it allows no UPDATE in; one
     * without timers answers without Session-Expires and we refresh by UPDATE where it allows it.
     */
    static void offer(Message invite, int seconds, SessionTimerSettings settings, HeaderFactory headers) throws ParseException {
        if (!settings.enabled()) {
            return;
        }
        invite.addHeader(headers.createHeader("Supported", "timer"));
        invite.setHeader(headers.createHeader(SESSION_EXPIRES, seconds + ";refresher=uas"));
        invite.setHeader(headers.createHeader(MIN_SE, Integer.toString(settings.minSE())));
    }

    static boolean supportsTimer(Message message) {
        for (String name : new String[] {"Supported", "Require"}) {
            ListIterator<?> values = message.getHeaders(name);
            while (values != null && values.hasNext()) {
                for (String tag : text((Header) values.next()).split(",")) {
                    if (tag.trim().equalsIgnoreCase("timer")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String value(Message message, String name) {
        Header header = message.getHeader(name);
        return header == null ? null : text(header);
    }

    private static String text(Header header) {
        String full = header.toString().trim();
        int colon = full.indexOf(':');
        return colon < 0 ? full : full.substring(colon + 1).trim();
    }

    /** The delta-seconds before any parameter; fallback when absent or not a number. */
    static int deltaSeconds(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        String digits = value.split(";", 2)[0].trim();
        try {
            long seconds = Long.parseLong(digits);
            return seconds < 0 ? fallback : (int) Math.min(Integer.MAX_VALUE, seconds);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String refresherParameter(String value) {
        if (value == null) {
            return null;
        }
        for (String parameter : value.split(";")) {
            String[] pair = parameter.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("refresher")) {
                return pair[1].trim().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }
}
