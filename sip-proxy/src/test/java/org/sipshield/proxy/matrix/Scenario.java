package org.sipshield.proxy.matrix;

import java.util.Optional;
import org.sipshield.config.DeviceSecurityMode;
import org.sipshield.config.SrtpCiphers;
import org.sipshield.config.Transport;
import org.sipshield.srtp.CryptoSuite;

/**
 * One row of the scenario matrix: a phone on a transport, in a device security mode, with digest
 * on or off, whose call reaches a far end that takes an SRTP suite (or none), and what the
 * reference and the product's rules say must happen.
 *
 * @param suite the SRTP suite the far end (trunk leg) takes; empty: plain RTP there
 * @param ci      part of the subset that {@code ./sipshield test} runs
 * @param ciphers the proxy's SRTP Ciphers setting (media.srtpCiphers)
 */
record Scenario(Kind kind, Transport transport, DeviceSecurityMode mode, boolean digest, Optional<CryptoSuite> suite,
        boolean ci, SrtpCiphers ciphers) {

    /** A row under the default SRTP Ciphers, ALL. */
    Scenario(Kind kind, Transport transport, DeviceSecurityMode mode, boolean digest, Optional<CryptoSuite> suite, boolean ci) {
        this(kind, transport, mode, digest, suite, ci, SrtpCiphers.ALL);
    }

    enum Kind {
        /** The combination breaks a rule of the reference: loading a config with it must fail and name it. */
        REFUSED_BY_CONFIG,
        /** sipp registers a phone (signalling only). */
        REGISTRATION,
        /** A baresip phone registers and calls a far end through the proxy; audio both ways. */
        CALL,
        /** A baresip phone with video (fakevideo, VP8) calls a far end with audio and video; both streams both ways. */
        VIDEO_CALL,
        /** A baresip phone whose media offer its profile forbids: 488. */
        REFUSED_488,
        /** A baresip phone calls through kamailio, a carrier that challenges sipshield; audio both ways. */
        KAMAILIO_CALL,
        /** kamailio challenges on a trunk that has no SIP Realm credentials: the phone gets 403. */
        KAMAILIO_WITHOUT_CREDENTIALS,
        /** sipp: a call with session timers, refreshed by the phone's UPDATEs through the proxy. */
        SESSION_TIMER,
        /** sipp: the far end's call, transferred by the phone (blind REFER) to another number. */
        TRANSFER
    }

    /** Whether the reference allows this mode on this transport (secure modes need TLS, TLS needs a secure mode). */
    static boolean allowed(Transport transport, DeviceSecurityMode mode) {
        return mode.isSecure() == (transport == Transport.TLS);
    }

    /**
     * The media the phone offers: SRTP (RTP/SAVP, mandatory) when its profile is Encrypted; a 488 row
     * turns that round, except under SRTP Ciphers that refuse baresip's one suite.
     */
    boolean phoneOffersSrtp() {
        boolean encrypted = mode == DeviceSecurityMode.ENCRYPTED;
        return kind == Kind.REFUSED_488 && ciphers == SrtpCiphers.ALL ? !encrypted : encrypted;
    }

    String suiteLabel() {
        if (kind == Kind.REFUSED_BY_CONFIG || kind == Kind.REGISTRATION || kind == Kind.SESSION_TIMER
                || kind == Kind.TRANSFER) {
            return "-";
        }
        return suite.map(CryptoSuite::sdesName).orElse("none");
    }

    /** The kind as the table shows it, with the SRTP Ciphers setting when it is not the default. */
    String label() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + (ciphers == SrtpCiphers.ALL ? "" : " (SRTP Ciphers " + ciphers + ")");
    }

    String name() {
        return label() + " " + transport + " " + mode.label()
                + " digest " + (digest ? "on" : "off") + " " + suiteLabel();
    }

    /** What must happen, derived from the reference's rules and the product's configuration. */
    String expected() {
        String register = digest ? "REGISTER 401, 200" : "REGISTER 200";
        String media = "phone " + phoneLeg() + ", trunk " + suite.map(s -> "SRTP " + s.sdesName() + " (relay offers "
                + (ciphers == SrtpCiphers.ALL ? "the six" : String.join(", ", offeredSuites())) + ")").orElse("RTP")
                + "; audio both ways" + (suite.isPresent() ? "; the far end's forged and replayed packets dropped and counted" : "");
        return switch (kind) {
            case REFUSED_BY_CONFIG -> "refused by config validation: " + mode.label() + " phones "
                    + (mode.isSecure() ? "need TLS" : "do not use TLS");
            case REGISTRATION -> register;
            case CALL -> register + "; INVITE " + (digest ? "407, " : "") + "200; " + media;
            case VIDEO_CALL -> register + "; INVITE " + (digest ? "407, " : "") + "200; " + media
                    + "; video both ways, re-keyed with keys of its own on each leg";
            case REFUSED_488 -> register + "; INVITE " + (digest ? "407, " : "") + "488 (" + (ciphers != SrtpCiphers.ALL
                    ? "SRTP Ciphers " + ciphers + " refuses baresip's AES_CM_128_HMAC_SHA1_80"
                    : mode == DeviceSecurityMode.ENCRYPTED ? "Encrypted phone offers RTP only"
                    : mode.label() + " phone offers SRTP only") + ")";
            case KAMAILIO_CALL -> register + "; INVITE 407, 200; carrier's 407 answered once, the BYE through the carrier; " + media;
            case KAMAILIO_WITHOUT_CREDENTIALS -> register + "; INVITE 407, 403 (no SIP Realm for the carrier's 407)";
            case SESSION_TIMER -> "INVITE 200 with Session-Expires; the phone's two refreshing UPDATEs reach the far end, 200";
            case TRANSFER -> "REFER 202; the far end's Refer-To names the proxy; its new call 200; the phone gets NOTIFY 100 "
                    + "and 200 (sipfrag, in its dialog)";
        };
    }

    /** The suites the relay offers a trunk with SRTP Allowed, best first: the SRTP Ciphers policy's. */
    java.util.List<String> offeredSuites() {
        return org.sipshield.proxy.media.MediaAnchoring.policy(ciphers).suites().stream().map(CryptoSuite::sdesName).toList();
    }

    /** baresip offers one suite only, AES_CM_128_HMAC_SHA1_80; the proxy takes it under SRTP Ciphers ALL. */
    String phoneLeg() {
        return mode == DeviceSecurityMode.ENCRYPTED ? "SRTP " + CryptoSuite.AES_CM_128_HMAC_SHA1_80.sdesName() : "RTP";
    }
}
