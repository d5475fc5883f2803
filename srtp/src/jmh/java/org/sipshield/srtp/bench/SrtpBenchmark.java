package org.sipshield.srtp.bench;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.sipshield.jni.SrtpNative;
import org.sipshield.jni.SrtpNativeTesting;
import org.sipshield.srtp.CryptoSuite;
import org.sipshield.srtp.SrtpBatch;
import org.sipshield.srtp.SrtpDirection;
import org.sipshield.srtp.SrtpEngine;
import org.sipshield.srtp.SrtpKeyManager;
import org.sipshield.srtp.SrtpMasterKey;
import org.sipshield.srtp.SrtpOperation;
import org.sipshield.srtp.SrtpSession;
import org.sipshield.srtp.SrtpStatus;

/**
 * Protect and unprotect of a 172-octet RTP packet (12-octet header + 160 octets of G.711), per
 * suite and engine, in ns per packet. Protect re-encrypts one buffer in place with the sequence
 * number advanced each time (an SRTP sender never reuses an index). Unprotect needs a distinct
 * authentic packet each time (the replay window), so it copies one of {@link #POOL} pre-protected
 * packets into the buffer first: every engine pays that same 172-octet copy. When the pool is
 * used up the receiver is re-created (once per 65,536 packets).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SrtpBenchmark {
    static final int PACKET = 172;
    static final int SLOT = 256;
    static final int BATCH = 32;
    static final int POOL = 65536;
    static final int SSRC = 0x5eed1234;

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public String suite;

    private CryptoSuite cryptoSuite;
    private byte[] masterKey;
    private byte[] masterSalt;
    private final SrtpKeyManager keys = new SrtpKeyManager();

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(SLOT);
    private final byte[] heap = new byte[SLOT];
    private SrtpBatch batch;
    private int seq;
    private int next;

    private SrtpSession openSslOut;
    private SrtpSession openSslBatchOut;
    private SrtpSession libsrtpOut;
    private SrtpSession javaOut;
    private SrtpCryptoContext jitsiOut;
    private SrtpContextFactory jitsiOutFactory;

    private SrtpEngine inEngine;
    private SrtpSession in;
    private SrtpCryptoContext jitsiIn;
    private SrtpContextFactory jitsiInFactory;
    private byte[][] pool;
    private final JitsiBuffer jitsiBuffer = new JitsiBuffer(heap);

    private long floor;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        cryptoSuite = CryptoSuite.valueOf(suite);
        SecureRandom random = new SecureRandom();
        masterKey = new byte[cryptoSuite.masterKeyLength()];
        masterSalt = new byte[cryptoSuite.masterSaltLength()];
        random.nextBytes(masterKey);
        random.nextBytes(masterSalt);
        openSslOut = out(SrtpEngine.OPENSSL);
        openSslBatchOut = out(SrtpEngine.OPENSSL);
        libsrtpOut = out(SrtpEngine.LIBSRTP2);
        javaOut = out(SrtpEngine.JAVA);
        jitsiOutFactory = new SrtpContextFactory(true, masterKey, masterSalt, jitsiPolicy(), jitsiPolicy(), new LoggerImpl("bench"));
        jitsiOut = jitsiOutFactory.deriveContext(SSRC, 0);
        batch = new SrtpBatch(BATCH, SLOT);
        for (int i = 0; i < BATCH; i++) {
            batch.slot(i).clear().put(packet(i));
        }
        writePacket(buffer, 0);
        System.arraycopy(packet(0), 0, heap, 0, PACKET);

        // the pool every unprotect benchmark reads from: protected by our core, checked by libsrtp2
        pool = new byte[POOL][];
        try (SrtpSession maker = out(SrtpEngine.OPENSSL)) {
            ByteBuffer b = ByteBuffer.allocateDirect(SLOT);
            for (int i = 0; i < POOL; i++) {
                b.clear();
                b.put(packet(i)).flip();
                check(maker.protectRtp(b));
                pool[i] = new byte[b.remaining()];
                b.get(pool[i]);
            }
        }
        floor = SrtpNativeTesting.evpFloorCreate(cryptoSuite.masterKeyLength() == 32 ? 32 : 16);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (SrtpSession s : new SrtpSession[] {openSslOut, openSslBatchOut, libsrtpOut, javaOut, in}) {
            if (s != null) {
                s.close();
            }
        }
        jitsiOutFactory.close();
        if (jitsiInFactory != null) {
            jitsiInFactory.close();
        }
        SrtpNativeTesting.evpFloorDestroy(floor);
    }

    private SrtpSession out(SrtpEngine engine) {
        return SrtpSession.open(engine, SrtpDirection.OUTBOUND, key(), org.sipshield.srtp.SrtpSessionOptions.DEFAULTS);
    }

    private SrtpMasterKey key() {
        // Benchmarks need the same key on both sides; the public API only makes fresh keys or parses
        // SDES, so go through SDES as a peer would.
        String line = "a=crypto:1 " + cryptoSuite.sdesName() + " inline:"
                + java.util.Base64.getEncoder().encodeToString(concat(masterKey, masterSalt));
        return org.sipshield.srtp.SdesCryptoAttribute.parse(line).attribute().keyParam().key();
    }

    private SrtpPolicy jitsiPolicy() {
        return cryptoSuite.isAead()
                ? new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, cryptoSuite.masterKeyLength(), SrtpPolicy.NULL_AUTHENTICATION, 0, 16,
                        cryptoSuite.masterSaltLength())
                : new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, cryptoSuite.masterKeyLength(), SrtpPolicy.HMACSHA1_AUTHENTICATION, 20,
                        cryptoSuite.srtpAuthTagLength(), cryptoSuite.masterSaltLength());
    }

    static byte[] packet(int seq) {
        byte[] p = new byte[PACKET];
        p[0] = (byte) 0x80;
        p[1] = 0;  // PCMU
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[7] = (byte) (seq * 160);
        p[8] = (byte) (SSRC >>> 24);
        p[9] = (byte) (SSRC >>> 16);
        p[10] = (byte) (SSRC >>> 8);
        p[11] = (byte) SSRC;
        for (int i = 12; i < PACKET; i++) {
            p[i] = (byte) 0xd5;  // G.711 A-law silence
        }
        return p;
    }

    private static void writePacket(ByteBuffer b, int seq) {
        b.clear();
        b.put(packet(seq));
    }

    private static void check(SrtpStatus s) {
        if (s != SrtpStatus.OK) {
            throw new IllegalStateException("benchmark packet failed: " + s);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ---------- protect ----------

    private SrtpStatus protect(SrtpSession s) {
        int q = ++seq;
        buffer.clear().limit(PACKET);
        buffer.put(2, (byte) (q >> 8)).put(3, (byte) q);
        return s.protectRtp(buffer);
    }

    @Benchmark
    public SrtpStatus protectOpenSsl() {
        return protect(openSslOut);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int protectOpenSslBatch32() {
        batch.clear();
        for (int i = 0; i < BATCH; i++) {
            int q = ++seq;
            ByteBuffer s = batch.slot(i);
            s.put(2, (byte) (q >> 8)).put(3, (byte) q);
            batch.add(PACKET);
        }
        return openSslBatchOut.process(SrtpOperation.PROTECT_RTP, batch);
    }

    @Benchmark
    public SrtpStatus protectLibsrtp2() {
        return protect(libsrtpOut);
    }

    @Benchmark
    public SrtpStatus protectJava() {
        return protect(javaOut);
    }

    @Benchmark
    public SrtpErrorStatus protectJitsi() throws Exception {
        int q = ++seq;
        heap[2] = (byte) (q >> 8);
        heap[3] = (byte) q;
        jitsiBuffer.setLength(PACKET);
        return jitsiOut.transformPacket(jitsiBuffer);
    }

    /** OpenSSL EVP AES-GCM alone, 32 packets per JNI call, fresh IV per packet: the floor. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int evpFloorGcm() {
        return SrtpNativeTesting.evpFloorRun(floor, buffer, 0, PACKET, SLOT, BATCH);
    }

    // ---------- unprotect ----------

    private SrtpSession receiver(SrtpEngine engine) {
        if (in == null || inEngine != engine || next == POOL) {
            if (in != null) {
                in.close();
            }
            in = SrtpSession.open(engine, SrtpDirection.INBOUND, key(), org.sipshield.srtp.SrtpSessionOptions.DEFAULTS);
            inEngine = engine;
            next = 0;
        }
        return in;
    }

    private SrtpStatus unprotect(SrtpEngine engine) {
        SrtpSession s = receiver(engine);
        byte[] p = pool[next++];
        buffer.clear();
        buffer.put(p).flip();
        return s.unprotectRtp(buffer);
    }

    @Benchmark
    public SrtpStatus unprotectOpenSsl() {
        return unprotect(SrtpEngine.OPENSSL);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int unprotectOpenSslBatch32() {
        if (next + BATCH > POOL) {
            next = POOL;
        }
        SrtpSession s = receiver(SrtpEngine.OPENSSL);
        batch.clear();
        for (int i = 0; i < BATCH; i++) {
            byte[] p = pool[next++];
            batch.slot(i).clear().put(p);
            batch.add(p.length);
        }
        return s.process(SrtpOperation.UNPROTECT_RTP, batch);
    }

    @Benchmark
    public SrtpStatus unprotectLibsrtp2() {
        return unprotect(SrtpEngine.LIBSRTP2);
    }

    @Benchmark
    public SrtpStatus unprotectJava() {
        return unprotect(SrtpEngine.JAVA);
    }

    @Benchmark
    public SrtpErrorStatus unprotectJitsi() throws Exception {
        if (jitsiIn == null || next == POOL) {
            if (jitsiInFactory != null) {
                jitsiInFactory.close();
            }
            jitsiInFactory = new SrtpContextFactory(false, masterKey, masterSalt, jitsiPolicy(), jitsiPolicy(), new LoggerImpl("bench"));
            jitsiIn = jitsiInFactory.deriveContext(SSRC, 0);
            next = 0;
        }
        byte[] p = pool[next++];
        System.arraycopy(p, 0, heap, 0, p.length);
        jitsiBuffer.setLength(p.length);
        return jitsiIn.reverseTransformPacket(jitsiBuffer, false);
    }

    /** jitsi-srtp's packet view over one byte array. */
    static final class JitsiBuffer implements org.jitsi.utils.ByteArrayBuffer {
        private byte[] buf;
        private int length;

        JitsiBuffer(byte[] buf) {
            this.buf = buf;
        }

        @Override public byte[] getBuffer() { return buf; }
        @Override public int getOffset() { return 0; }
        @Override public int getLength() { return length; }
        @Override public void setLength(int len) { length = len; }
        @Override public void setOffset(int off) { if (off != 0) throw new UnsupportedOperationException(); }
        @Override public boolean isInvalid() { return false; }
        @Override public void readRegionToBuff(int off, int len, byte[] out) { System.arraycopy(buf, off, out, 0, len); }
        @Override public void grow(int howMuch) {
            if (length + howMuch > buf.length) {
                buf = java.util.Arrays.copyOf(buf, length + howMuch);
            }
        }
        @Override public void append(byte[] data, int len) {
            grow(len);
            System.arraycopy(data, 0, buf, length, len);
            length += len;
        }
        @Override public void shrink(int len) { length = Math.max(0, length - len); }
    }
}
