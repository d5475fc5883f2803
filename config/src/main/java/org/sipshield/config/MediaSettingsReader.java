package org.sipshield.config;

import java.util.List;

/** Reads the {@code media:} section; every key has a default, so configurations without it load. */
final class MediaSettingsReader {
    private MediaSettingsReader() {}

    static MediaSettings media(YamlMapping m, List<Listener> listeners) {
        String defaultAddress = listeners.isEmpty() ? "127.0.0.1" : listeners.get(0).address();
        String address = m.string("address", defaultAddress).trim();
        if (!address.matches("[0-9.]{7,15}|[0-9A-Fa-f:]{2,39}")) {
            m.problem("address", "'" + address + "' is not an IP address", "an IPv4 or IPv6 address of this machine");
        } else if (address.equals("0.0.0.0") || address.equals("::")) {
            m.problem("address", "media needs an address peers can send to, not the wildcard " + address,
                    "the IP address of this machine that phones and trunks reach");
        }
        int min = m.integer("portMin", MediaSettings.DEFAULT_PORT_MIN, 1024, 65534);
        int max = m.integer("portMax", MediaSettings.DEFAULT_PORT_MAX, 1025, 65535);
        if (min % 2 != 0) {
            m.problem("portMin", min + " is odd", "an even port: RTP on even ports, RTCP on the odd port above");
        }
        if (max - min < 3) {
            m.problem("portMax", max + " leaves fewer than two RTP/RTCP pairs above portMin " + min,
                    "portMax >= portMin + 3 (each call needs two pairs)");
        }
        int timeout = m.integer("mediaTimeout", MediaSettings.DEFAULT_MEDIA_TIMEOUT, 5, 86400);
        SrtpCiphers ciphers = m.enumValue("srtpCiphers", SrtpCiphers.class, SrtpCiphers.ALL, Enum::name);
        MediaLatching latching = m.enumValue("latching", MediaLatching.class, MediaLatching.SIGNALLED_ADDRESS, Enum::name);
        MediaSettings.EncryptedPhoneFallback fallback = m.enumValue("encryptedPhoneFallback",
                MediaSettings.EncryptedPhoneFallback.class, MediaSettings.EncryptedPhoneFallback.RTP, Enum::name);
        // F8 is one of the reference's suites, but never a default: nothing but old equipment needs it
        boolean f8 = m.bool("enableF8Cipher", false);
        if (f8 && ciphers != SrtpCiphers.ALL) {
            m.problem("enableF8Cipher", "srtpCiphers " + ciphers + " allows AEAD GCM suites only, so F8_128_HMAC_SHA1_80 "
                    + "cannot be enabled beside it", "srtpCiphers: ALL, or enableF8Cipher: false");
        }
        boolean warmUp = m.bool("warmUp", true);
        // on by default: at normal priority a kernel thread such as kdamond, once running on a loop's CPU, kept it for
        // its slice (1-7 ms on this project's VM, bench/media-results.md); refused without root or CAP_SYS_NICE
        int realtimePriority = m.integer("realtimePriority", MediaSettings.DEFAULT_REALTIME_PRIORITY, 0,
                MediaSettings.MAX_REALTIME_PRIORITY);
        int batchWindow = m.integer("batchWindowMicros", MediaSettings.DEFAULT_BATCH_WINDOW_MICROS, 0,
                MediaSettings.MAX_BATCH_WINDOW_MICROS);
        m.finish();
        return new MediaSettings(address, min, max, timeout, ciphers, latching, fallback, f8, warmUp, realtimePriority,
                batchWindow);
    }
}
