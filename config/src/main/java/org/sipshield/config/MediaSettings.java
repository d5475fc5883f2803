package org.sipshield.config;

/**
 * The media relay section: where call media is anchored and how SRTP is negotiated per leg.
 *
 * @param address             the relay's IP address: its ports are bound there and SDP advertises it
 * @param portMin             first RTP port (even); RTCP uses the odd port above each RTP port
 * @param portMax             last port of the range
 * @param mediaTimeoutSeconds silence (no accepted packet on either leg) that ends a call with BYE on both legs
 * @param srtpCiphers         the SRTP Ciphers option: the suites offered and accepted on every leg
 * @param latching            how plain RTP legs latch
 * @param enableF8Cipher      F8_128_HMAC_SHA1_80 is accepted and offered, after every other suite (srtpCiphers ALL only)
 * @param warmUp              at start, before the first call, the relay carries calls of its own on its address so that
 *                            its packet path is compiled with every branch a busy relay takes (read at start only)
 * @param realtimePriority    0: the relay's event loops run at normal priority; 1..98: under SCHED_FIFO at this priority,
 *                            each at normal priority (nice -20) while it is busy for nearly all of its CPU (needs root
 *                            or CAP_SYS_NICE; read at start only)
 * @param batchWindowMicros   0: an event loop reads each packet as it comes; more: once packets come faster than one
 *                            per window, a loop reads at most once per window, all that came meanwhile (read at start only)
 */
public record MediaSettings(String address, int portMin, int portMax, int mediaTimeoutSeconds, SrtpCiphers srtpCiphers,
        MediaLatching latching, EncryptedPhoneFallback encryptedPhoneFallback, boolean enableF8Cipher, boolean warmUp,
        int realtimePriority, int batchWindowMicros) {
    /**
     * An Encrypted phone in a call whose other leg cannot do SRTP: the reference lets the call go on
     * unencrypted (and shows it so); REFUSE answers the caller 488 instead.
     */
    public enum EncryptedPhoneFallback {
        RTP, REFUSE
    }

    /** The settings with the default batch window. */
    public MediaSettings(String address, int portMin, int portMax, int mediaTimeoutSeconds, SrtpCiphers srtpCiphers,
            MediaLatching latching, EncryptedPhoneFallback encryptedPhoneFallback, boolean enableF8Cipher, boolean warmUp,
            int realtimePriority) {
        this(address, portMin, portMax, mediaTimeoutSeconds, srtpCiphers, latching, encryptedPhoneFallback, enableF8Cipher, warmUp,
                realtimePriority, DEFAULT_BATCH_WINDOW_MICROS);
    }

    /** The settings with the event loops under SCHED_FIFO at the default priority, as by default. */
    public MediaSettings(String address, int portMin, int portMax, int mediaTimeoutSeconds, SrtpCiphers srtpCiphers,
            MediaLatching latching, EncryptedPhoneFallback encryptedPhoneFallback, boolean enableF8Cipher, boolean warmUp) {
        this(address, portMin, portMax, mediaTimeoutSeconds, srtpCiphers, latching, encryptedPhoneFallback, enableF8Cipher, warmUp,
                DEFAULT_REALTIME_PRIORITY);
    }

    /** The settings with the relay's warm-up, as by default. */
    public MediaSettings(String address, int portMin, int portMax, int mediaTimeoutSeconds, SrtpCiphers srtpCiphers,
            MediaLatching latching, EncryptedPhoneFallback encryptedPhoneFallback, boolean enableF8Cipher) {
        this(address, portMin, portMax, mediaTimeoutSeconds, srtpCiphers, latching, encryptedPhoneFallback, enableF8Cipher, true);
    }

    /** The settings without F8, as by default. */
    public MediaSettings(String address, int portMin, int portMax, int mediaTimeoutSeconds, SrtpCiphers srtpCiphers,
            MediaLatching latching, EncryptedPhoneFallback encryptedPhoneFallback) {
        this(address, portMin, portMax, mediaTimeoutSeconds, srtpCiphers, latching, encryptedPhoneFallback, false);
    }

    /** The settings with the reference's fallback (the call goes on unencrypted). */
    public MediaSettings(String address, int portMin, int portMax, int mediaTimeoutSeconds, SrtpCiphers srtpCiphers,
            MediaLatching latching) {
        this(address, portMin, portMax, mediaTimeoutSeconds, srtpCiphers, latching, EncryptedPhoneFallback.RTP);
    }

    public static final int DEFAULT_PORT_MIN = 20000;
    public static final int DEFAULT_PORT_MAX = 29999;
    public static final int DEFAULT_MEDIA_TIMEOUT = 60;
    /** A packet waits at most about this much more, so that one wake-up reads it with others (bench/media-results.md). */
    public static final int DEFAULT_BATCH_WINDOW_MICROS = 200;
    /**
     * The event loops' SCHED_FIFO priority by default: low among real-time threads (the kernel's own
     * run at 50 and above), above every normal one. Refused without root or CAP_SYS_NICE.
     */
    public static final int DEFAULT_REALTIME_PRIORITY = 10;
    /** The highest: the loops' watchdog runs one above. */
    public static final int MAX_REALTIME_PRIORITY = 98;
    /** The relay adds less than a millisecond: the window stays under it. */
    public static final int MAX_BATCH_WINDOW_MICROS = 1000;
}
