package org.sipshield.srtp;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.sipshield.jni.SrtpNative;

/**
 * The pure-Java SRTP engine on JCE: the same transforms, index estimation, replay window, stream
 * table and byte layout as the C core (native/src/main/c/ss_openssl.c), so both produce identical
 * packets. It works on a byte array {@code pkt[0..len)} that may grow to {@code cap}; results are
 * the new length or {@code -status}, as in the JNI API.
 *
 * <p>Longer than 400 lines on purpose: it follows ss_openssl.c function for function and in the
 * same order, so a change to one is checked against the other side by side; split, that
 * correspondence is lost, and the two engines' byte-identical output rests on it.
 */
final class JavaSrtpCore {
    private static final int MAX_STREAMS = SrtpNative.MAX_STREAMS;

    private final SuiteParams suite;
    private final SrtpDirection direction;
    private final Leg rtp;
    private final Leg rtcp;
    private final byte[] mki;
    private final int window;
    private final int windowBits;
    private final Stream[] streams = new Stream[MAX_STREAMS];

    /** Cipher, salt and HMAC for one of SRTP or SRTCP. */
    private static final class Leg {
        SecretKeySpec key;
        Cipher cipher;
        Cipher f8Mask;
        Mac mac;
        byte[] salt;
        int tagLength;
        final byte[] macOut = new byte[20];
    }

    private static final class Window {
        long highest;
        boolean seen;
        final long[] bits;

        Window(int words) {
            bits = new long[words];
        }

        void reset() {
            highest = 0;
            seen = false;
            Arrays.fill(bits, 0);
        }
    }

    private static final class Stream {
        boolean inUse;
        int ssrc;
        final Window rtp;
        final Window rtcp;
        long rtcpNext;

        Stream(int words) {
            rtp = new Window(words);
            rtcp = new Window(words);
        }
    }

    JavaSrtpCore(SuiteParams suite, SrtpDirection direction, byte[] rtpKey, byte[] rtpSalt, byte[] rtpAuth,
            byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuth, SrtpSessionOptions options) {
        this.suite = suite;
        this.direction = direction;
        this.mki = options.mkiBytes();
        this.window = options.replayWindow();
        int bits = 64;
        while (bits < window) {
            bits *= 2;
        }
        int words = bits / 64;
        this.windowBits = bits;
        for (int i = 0; i < MAX_STREAMS; i++) {
            streams[i] = new Stream(words);
        }
        try {
            this.rtp = leg(rtpKey, rtpSalt, rtpAuth, suite.srtpTagLength());
            this.rtcp = leg(rtcpKey, rtcpSalt, rtcpAuth, suite.srtcpTagLength());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE cannot set up " + suite.kind() + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Derives the six session keys (RFC 3711 4.3, labels 0..5) and builds the core. */
    static JavaSrtpCore fromMasterKey(SuiteParams suite, SrtpDirection direction, byte[] masterKey, byte[] masterSalt,
            SrtpSessionOptions options) {
        byte[][] k = new byte[6][];
        try {
            for (int leg = 0; leg < 2; leg++) {
                int base = 3 * leg;
                k[base] = kdf(masterKey, masterSalt, base, suite.keyLength());
                k[base + 1] = kdf(masterKey, masterSalt, base + 1, SuiteParams.HMAC_KEY_LENGTH);
                k[base + 2] = kdf(masterKey, masterSalt, base + 2, suite.saltLength());
            }
            return new JavaSrtpCore(suite, direction, k[0], k[2], k[1], k[3], k[5], k[4], options);
        } finally {
            for (byte[] b : k) {
                if (b != null) {
                    Arrays.fill(b, (byte) 0);
                }
            }
        }
    }

    /** RFC 3711 4.3.1 AES-CM PRF, kdr = 0; a 12-octet salt is zero-padded to 14 (as libsrtp2 does). */
    static byte[] kdf(byte[] masterKey, byte[] masterSalt, int label, int length) {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, masterSalt.length);
        iv[7] ^= (byte) label;
        try {
            Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
            ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"), new IvParameterSpec(iv));
            return ctr.doFinal(new byte[length]);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CM key derivation failed (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private Leg leg(byte[] key, byte[] salt, byte[] auth, int tagLength) throws GeneralSecurityException {
        if (key.length != suite.keyLength() || salt.length > 14 || (suite.kind() == SuiteParams.Kind.GCM && salt.length != 12)) {
            throw new IllegalArgumentException("session key/salt lengths do not fit " + suite.kind());
        }
        Leg l = new Leg();
        l.key = new SecretKeySpec(key, "AES");
        l.salt = salt.clone();
        l.tagLength = tagLength;
        switch (suite.kind()) {
            case GCM:
                l.cipher = Cipher.getInstance("AES/GCM/NoPadding");
                break;
            case CM:
                l.cipher = Cipher.getInstance("AES/CTR/NoPadding");
                break;
            case F8:
                l.cipher = Cipher.getInstance("AES/ECB/NoPadding");
                l.cipher.init(Cipher.ENCRYPT_MODE, l.key);
                byte[] masked = new byte[16];
                for (int i = 0; i < 16; i++) {
                    masked[i] = (byte) (key[i] ^ (i < salt.length ? salt[i] : 0x55));  // m = k_s || 0x55..
                }
                l.f8Mask = Cipher.getInstance("AES/ECB/NoPadding");
                l.f8Mask.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masked, "AES"));
                Arrays.fill(masked, (byte) 0);
                break;
            default:
                throw new IllegalArgumentException(String.valueOf(suite.kind()));
        }
        if (suite.kind() != SuiteParams.Kind.GCM) {
            l.mac = Mac.getInstance("HmacSHA1");
            l.mac.init(new SecretKeySpec(auth, "HmacSHA1"));
        }
        return l;
    }

    int process(int op, byte[] pkt, int len, int cap) {
        boolean protect = op == SrtpNative.OP_PROTECT_RTP || op == SrtpNative.OP_PROTECT_RTCP;
        if ((protect ? SrtpDirection.OUTBOUND : SrtpDirection.INBOUND) != direction || op < 0 || op > 3) {
            return -SrtpNative.STATUS_BAD_ARGUMENT;
        }
        try {
            switch (op) {
                case SrtpNative.OP_PROTECT_RTP: return protectRtp(pkt, len, cap);
                case SrtpNative.OP_UNPROTECT_RTP: return unprotectRtp(pkt, len);
                case SrtpNative.OP_PROTECT_RTCP: return protectRtcp(pkt, len, cap);
                default: return unprotectRtcp(pkt, len);
            }
        } catch (GeneralSecurityException e) {
            return -SrtpNative.STATUS_INTERNAL_ERROR;
        }
    }

    long roc(int ssrc) {
        Stream st = find(ssrc);
        return st == null ? -1 : st.rtp.highest >>> 16;
    }

    /** As the native core: only an inbound stream before its first SRTP packet (the window is reset). */
    int setRoc(int ssrc, int roc) {
        if (direction != SrtpDirection.INBOUND) {
            return SrtpNative.STATUS_BAD_ARGUMENT;
        }
        Stream st = find(ssrc);
        if (st != null && st.rtp.seen) {
            return SrtpNative.STATUS_BAD_ARGUMENT;
        }
        if (st == null) {
            st = free(ssrc);
            if (st == null) {
                return SrtpNative.STATUS_TOO_MANY_STREAMS;
            }
            st.inUse = true;
        }
        st.rtp.reset();
        st.rtp.highest = (roc & 0xffffffffL) << 16;
        return SrtpNative.STATUS_OK;
    }

    // ---------- replay window and index estimation (RFC 3711 3.3) ----------

    private int check(Window w, long index) {
        if (!w.seen || index > w.highest) {
            return 0;
        }
        if (w.highest - index >= window) {
            return SrtpNative.STATUS_REPLAYED;
        }
        int pos = (int) (index & (windowBits - 1));
        return (w.bits[pos >>> 6] >>> (pos & 63) & 1) != 0 ? SrtpNative.STATUS_REPLAYED : 0;
    }

    private void add(Window w, long index) {
        if (!w.seen || index > w.highest) {
            long delta = w.seen ? index - w.highest : windowBits;
            if (delta >= windowBits) {
                Arrays.fill(w.bits, 0);
            } else {
                for (long i = w.highest + 1; i <= index; i++) {
                    int pos = (int) (i & (windowBits - 1));
                    w.bits[pos >>> 6] &= ~(1L << (pos & 63));
                }
            }
            w.highest = index;
            w.seen = true;
        }
        int pos = (int) (index & (windowBits - 1));
        w.bits[pos >>> 6] |= 1L << (pos & 63);
    }

    /** Appendix A; the ROC never goes below zero. Returns -1 when the ROC would wrap. */
    private static long estimate(Window w, int seq) {
        long roc = w.highest >>> 16;
        int sl = (int) (w.highest & 0xffff);
        long v = roc;
        if (sl < 32768) {
            if (seq > sl && seq - sl > 32768 && roc > 0) {
                v = roc - 1;
            }
        } else if (sl - 32768 > seq) {
            if (roc == 0xffffffffL) {
                return -1;
            }
            v = roc + 1;
        }
        return (v << 16) | seq;
    }

    private Stream find(int ssrc) {
        for (Stream s : streams) {
            if (s.inUse && s.ssrc == ssrc) {
                return s;
            }
        }
        return null;
    }

    private Stream free(int ssrc) {
        for (Stream s : streams) {
            if (!s.inUse) {
                s.rtp.reset();
                s.rtcp.reset();
                s.rtcpNext = 0;
                s.ssrc = ssrc;
                return s;
            }
        }
        return null;
    }

    // ---------- RTP ----------

    private static int headerLength(byte[] p, int len) {
        if (len < 12 || (p[0] & 0xc0) != 0x80) {
            return -1;
        }
        int h = 12 + 4 * (p[0] & 0x0f);
        if ((p[0] & 0x10) != 0) {
            if (h + 4 > len) {
                return -1;
            }
            h += 4 + 4 * (((p[h + 2] & 0xff) << 8) | (p[h + 3] & 0xff));
        }
        return h > len ? -1 : h;
    }

    private int protectRtp(byte[] p, int len, int cap) throws GeneralSecurityException {
        int h = headerLength(p, len);
        if (h < 0) {
            return -SrtpNative.STATUS_BAD_PACKET;
        }
        int tag = rtp.tagLength;
        int trailer = tag + mki.length;
        if (cap < len || cap - len < trailer) {
            return -SrtpNative.STATUS_BUFFER_TOO_SMALL;
        }
        int ssrc = int32(p, 8);
        int seq = ((p[2] & 0xff) << 8) | (p[3] & 0xff);
        Stream st = find(ssrc);
        if (st == null) {
            if ((st = free(ssrc)) == null) {
                return -SrtpNative.STATUS_TOO_MANY_STREAMS;
            }
            st.inUse = true;
        }
        long index = estimate(st.rtp, seq);
        if (index < 0) {
            return -SrtpNative.STATUS_INDEX_EXHAUSTED;
        }
        int rc = check(st.rtp, index);
        if (rc != 0) {
            return -rc;
        }
        boolean aead = suite.kind() == SuiteParams.Kind.GCM;
        int tagAt = aead ? len : len + mki.length;
        int mkiAt = aead ? len + tag : len;
        rc = rtpTransform(true, p, h, len, ssrc, index, tagAt);
        if (rc != 0) {
            return -rc;
        }
        System.arraycopy(mki, 0, p, mkiAt, mki.length);
        add(st.rtp, index);
        return len + trailer;
    }

    private int unprotectRtp(byte[] p, int len) throws GeneralSecurityException {
        int tag = rtp.tagLength;
        if (len < 12 + tag + mki.length) {
            return -SrtpNative.STATUS_BAD_PACKET;
        }
        int body = len - tag - mki.length;
        int h = headerLength(p, body);
        if (h < 0) {
            return -SrtpNative.STATUS_BAD_PACKET;
        }
        boolean aead = suite.kind() == SuiteParams.Kind.GCM;
        int tagAt = aead ? body : body + mki.length;
        int mkiAt = aead ? body + tag : body;
        if (!Arrays.equals(p, mkiAt, mkiAt + mki.length, mki, 0, mki.length)) {
            return -SrtpNative.STATUS_BAD_MKI;
        }
        int ssrc = int32(p, 8);
        int seq = ((p[2] & 0xff) << 8) | (p[3] & 0xff);
        Stream st = find(ssrc);
        if (st == null && (st = free(ssrc)) == null) {
            return -SrtpNative.STATUS_TOO_MANY_STREAMS;
        }
        long index = estimate(st.rtp, seq);
        if (index < 0) {
            return -SrtpNative.STATUS_INDEX_EXHAUSTED;
        }
        int rc = check(st.rtp, index);
        if (rc == 0) {
            rc = rtpTransform(false, p, h, body, ssrc, index, tagAt);
        }
        if (rc != 0) {
            return -rc;
        }
        st.inUse = true;
        add(st.rtp, index);
        return body;
    }

    private int rtpTransform(boolean seal, byte[] p, int h, int body, int ssrc, long index, int tagAt)
            throws GeneralSecurityException {
        Leg l = rtp;
        int roc = (int) (index >>> 16);
        if (suite.kind() == SuiteParams.Kind.GCM) {
            byte[] iv = l.salt.clone();
            xor32(iv, 2, ssrc);
            xor32(iv, 6, roc);
            iv[10] ^= (byte) (index >>> 8);
            iv[11] ^= (byte) index;
            return seal ? gcmSeal(l, iv, p, 0, h, null, p, h, body - h, tagAt)
                    : gcmOpen(l, iv, p, 0, h, null, p, h, body - h, tagAt);
        }
        byte[] iv = new byte[16];
        if (suite.kind() == SuiteParams.Kind.CM) {
            cmIv(l, ssrc, index, iv);
        } else {
            System.arraycopy(p, 1, iv, 1, 11);
            put32(iv, 12, roc);
        }
        byte[] rocBytes = new byte[4];
        put32(rocBytes, 0, roc);
        if (!seal && !tagMatches(l, p, body, rocBytes, tagAt)) {
            return SrtpNative.STATUS_AUTH_FAILED;
        }
        crypt(l, iv, p, h, body - h);
        if (seal) {
            mac(l, p, body, rocBytes);
            System.arraycopy(l.macOut, 0, p, tagAt, l.tagLength);
        }
        return 0;
    }

    // ---------- RTCP ----------

    private int protectRtcp(byte[] p, int len, int cap) throws GeneralSecurityException {
        if (len < 8 || (p[0] & 0xc0) != 0x80) {
            return -SrtpNative.STATUS_BAD_PACKET;
        }
        int tag = rtcp.tagLength;
        int trailer = tag + 4 + mki.length;
        if (cap < len || cap - len < trailer) {
            return -SrtpNative.STATUS_BUFFER_TOO_SMALL;
        }
        int ssrc = int32(p, 4);
        Stream st = find(ssrc);
        if (st == null) {
            if ((st = free(ssrc)) == null) {
                return -SrtpNative.STATUS_TOO_MANY_STREAMS;
            }
            st.inUse = true;
        }
        if (st.rtcpNext > 0x7fffffffL) {
            return -SrtpNative.STATUS_INDEX_EXHAUSTED;
        }
        byte[] word = new byte[4];
        put32(word, 0, (int) (0x80000000L | st.rtcpNext));
        boolean aead = suite.kind() == SuiteParams.Kind.GCM;
        int tagAt = aead ? len : len + 4 + mki.length;
        int wordAt = aead ? len + tag : len;
        int mkiAt = aead ? len + tag + 4 : len + 4;
        int rc = rtcpTransform(true, p, len, word, tagAt);
        if (rc != 0) {
            return -rc;
        }
        System.arraycopy(word, 0, p, wordAt, 4);
        System.arraycopy(mki, 0, p, mkiAt, mki.length);
        st.rtcpNext++;
        return len + trailer;
    }

    private int unprotectRtcp(byte[] p, int len) throws GeneralSecurityException {
        int tag = rtcp.tagLength;
        int m = mki.length;
        if (len < 8 + 4 + tag + m || (p[0] & 0xc0) != 0x80) {
            return -SrtpNative.STATUS_BAD_PACKET;
        }
        boolean aead = suite.kind() == SuiteParams.Kind.GCM;
        int wordPos = aead ? len - m - 4 : len - tag - m - 4;
        int body = aead ? wordPos - tag : wordPos;
        int tagAt = aead ? body : len - tag;
        int mkiAt = aead ? len - m : len - tag - m;
        if (body < 8) {
            return -SrtpNative.STATUS_BAD_PACKET;
        }
        if (!Arrays.equals(p, mkiAt, mkiAt + m, mki, 0, m)) {
            return -SrtpNative.STATUS_BAD_MKI;
        }
        byte[] word = Arrays.copyOfRange(p, wordPos, wordPos + 4);
        long index = int32(word, 0) & 0x7fffffffL;
        int ssrc = int32(p, 4);
        Stream st = find(ssrc);
        if (st == null && (st = free(ssrc)) == null) {
            return -SrtpNative.STATUS_TOO_MANY_STREAMS;
        }
        int rc = check(st.rtcp, index);
        if (rc == 0) {
            rc = rtcpTransform(false, p, body, word, tagAt);
        }
        if (rc != 0) {
            return -rc;
        }
        st.inUse = true;
        add(st.rtcp, index);
        return body;
    }

    private int rtcpTransform(boolean seal, byte[] p, int body, byte[] word, int tagAt) throws GeneralSecurityException {
        Leg l = rtcp;
        int w = int32(word, 0);
        boolean encrypted = w < 0;
        int ssrc = int32(p, 4);
        if (suite.kind() == SuiteParams.Kind.GCM) {
            byte[] iv = l.salt.clone();
            xor32(iv, 2, ssrc);
            xor32(iv, 8, w & 0x7fffffff);
            int aadLen = encrypted ? 8 : body;
            int n = encrypted ? body - 8 : 0;
            return seal ? gcmSeal(l, iv, p, 0, aadLen, word, p, 8, n, tagAt)
                    : gcmOpen(l, iv, p, 0, aadLen, word, p, 8, n, tagAt);
        }
        byte[] iv = new byte[16];
        if (suite.kind() == SuiteParams.Kind.CM) {
            cmIv(l, ssrc, w & 0x7fffffffL, iv);
        } else {
            System.arraycopy(word, 0, iv, 4, 4);
            System.arraycopy(p, 0, iv, 8, 8);
        }
        if (!seal && !tagMatches(l, p, body, word, tagAt)) {
            return SrtpNative.STATUS_AUTH_FAILED;
        }
        if (encrypted) {
            crypt(l, iv, p, 8, body - 8);
        }
        if (seal) {
            mac(l, p, body, word);
            System.arraycopy(l.macOut, 0, p, tagAt, l.tagLength);
        }
        return 0;
    }

    // ---------- primitives ----------

    private static void cmIv(Leg l, int ssrc, long index, byte[] iv) {
        Arrays.fill(iv, (byte) 0);
        System.arraycopy(l.salt, 0, iv, 0, l.salt.length);
        xor32(iv, 4, ssrc);
        for (int i = 0; i < 6; i++) {
            iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
        }
    }

    private void crypt(Leg l, byte[] iv, byte[] p, int off, int n) throws GeneralSecurityException {
        if (suite.kind() == SuiteParams.Kind.CM) {
            l.cipher.init(Cipher.ENCRYPT_MODE, l.key, new IvParameterSpec(iv));
            byte[] out = l.cipher.doFinal(p, off, n);
            System.arraycopy(out, 0, p, off, n);
            return;
        }
        // AES-f8 (RFC 3711 4.1.2): IV' = E(k_e ^ m, IV); S(j) = E(k_e, IV' ^ j ^ S(j-1))
        byte[] ivPrime = l.f8Mask.doFinal(iv);
        byte[] s = new byte[16];
        byte[] in = new byte[16];
        for (int off2 = 0, j = 0; off2 < n; off2 += 16, j++) {
            for (int k = 0; k < 16; k++) {
                in[k] = (byte) (ivPrime[k] ^ s[k]);
            }
            xor32(in, 12, j);
            s = l.cipher.doFinal(in);
            int m = Math.min(16, n - off2);
            for (int k = 0; k < m; k++) {
                p[off + off2 + k] ^= s[k];
            }
        }
    }

    private static void mac(Leg l, byte[] p, int len, byte[] tail) throws GeneralSecurityException {
        l.mac.update(p, 0, len);
        l.mac.update(tail);
        l.mac.doFinal(l.macOut, 0);
    }

    private static boolean tagMatches(Leg l, byte[] p, int len, byte[] tail, int tagAt) throws GeneralSecurityException {
        mac(l, p, len, tail);
        return MessageDigest.isEqual(Arrays.copyOf(l.macOut, l.tagLength), Arrays.copyOfRange(p, tagAt, tagAt + l.tagLength));
    }

    private static int gcmSeal(Leg l, byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] aad2, byte[] p, int off,
            int n, int tagAt) throws GeneralSecurityException {
        l.cipher.init(Cipher.ENCRYPT_MODE, l.key, new GCMParameterSpec(128, iv));
        l.cipher.updateAAD(aad, aadOff, aadLen);
        if (aad2 != null) {
            l.cipher.updateAAD(aad2);
        }
        byte[] out = l.cipher.doFinal(p, off, n);  // ciphertext || tag
        System.arraycopy(out, 0, p, off, n);
        System.arraycopy(out, n, p, tagAt, 16);
        return 0;
    }

    private static int gcmOpen(Leg l, byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] aad2, byte[] p, int off,
            int n, int tagAt) throws GeneralSecurityException {
        l.cipher.init(Cipher.DECRYPT_MODE, l.key, new GCMParameterSpec(128, iv));
        l.cipher.updateAAD(Arrays.copyOfRange(aad, aadOff, aadOff + aadLen));
        if (aad2 != null) {
            l.cipher.updateAAD(aad2);
        }
        byte[] ctAndTag = new byte[n + 16];
        System.arraycopy(p, off, ctAndTag, 0, n);
        System.arraycopy(p, tagAt, ctAndTag, n, 16);
        try {
            byte[] plain = l.cipher.doFinal(ctAndTag);
            System.arraycopy(plain, 0, p, off, n);
            return 0;
        } catch (AEADBadTagException e) {
            Arrays.fill(p, off, off + n, (byte) 0);  // same as the C core: nothing unauthenticated is left
            return SrtpNative.STATUS_AUTH_FAILED;
        }
    }

    private static int int32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    private static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static void xor32(byte[] b, int off, int v) {
        b[off] ^= (byte) (v >>> 24);
        b[off + 1] ^= (byte) (v >>> 16);
        b[off + 2] ^= (byte) (v >>> 8);
        b[off + 3] ^= (byte) v;
    }

    /** Wipes what this core holds itself (JCE's key schedules cannot be reached). */
    void wipe() {
        Arrays.fill(rtp.salt, (byte) 0);
        Arrays.fill(rtcp.salt, (byte) 0);
        Arrays.fill(rtp.macOut, (byte) 0);
        Arrays.fill(rtcp.macOut, (byte) 0);
    }
}
