package org.sipshield.media;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.sipshield.srtp.SrtpOperation;
import org.sipshield.srtp.SrtpPacketBatch;
import org.sipshield.srtp.SrtpSession;
import org.sipshield.srtp.SrtpStatus;

/**
 * The packets one event-loop wake-up read, from all the sockets of all the sessions on that loop,
 * re-keyed together: one JNI crossing unprotects them all (each with its leg's keys, in the
 * memory they were received into), one protects them all for their far legs, then they are
 * written and every socket written to is flushed once (sendmmsg where a socket got several).
 *
 * <p>The burst is processed by a task queued on the loop when its first packet arrives, which the
 * loop runs after it has handled every socket that was ready; a full burst is processed at once.
 * Anything that changes a leg (signalling, close, media timeout) processes the burst first, so a
 * packet meets the configuration that was in force when it was read, as if processed on arrival.
 * One per event loop; confined to it; allocates nothing per packet (the datagrams it writes are
 * reused, see {@link OutgoingDatagram}).
 */
final class PacketBurst {
    /** Packets per burst; a wake-up seldom reads more (a socket yields at most {@code DATAGRAMS_PER_READ}). */
    static final int CAPACITY = 64;

    private final EventLoop loop;
    private final Runnable processTask = this::process;
    private final OutgoingDatagram.Pool datagrams = new OutgoingDatagram.Pool();
    private final SrtpPacketBatch srtp = new SrtpPacketBatch(CAPACITY);
    private final RelayLeg[] from = new RelayLeg[CAPACITY];
    private final ByteBuf[] work = new ByteBuf[CAPACITY];
    private final DatagramPacket[] received = new DatagramPacket[CAPACITY];
    private final InetSocketAddress[] source = new InetSocketAddress[CAPACITY];
    private final ByteBuffer[] memory = new ByteBuffer[CAPACITY];
    private final int[] at = new int[CAPACITY];
    private final int[] nioOffset = new int[CAPACITY];
    private final int[] length = new int[CAPACITY];
    private final int[] room = new int[CAPACITY];
    private final boolean[] rtcp = new boolean[CAPACITY];
    private final boolean[] inClear = new boolean[CAPACITY];
    private final int[] srtpIndex = new int[CAPACITY];
    private final RelayLeg[] toFlush = new RelayLeg[CAPACITY];
    private int count;
    private int flushCount;
    private boolean scheduled;

    PacketBurst(EventLoop loop) {
        this.loop = loop;
    }

    /** The reusable datagrams the loop's sockets write. */
    OutgoingDatagram.Pool datagrams() {
        return datagrams;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Takes a packet that passed the leg's checks (configured, from its peer, RTP/RTCP-shaped, room
     * for the tag): bytes {@code [at, at + length)} of {@code buf}, which it may grow by
     * {@code tagRoom}. {@code received} is the datagram that owns {@code buf}'s memory, or null
     * when {@code buf} is a copy the burst now owns. {@code inClear}: an RTCP packet shaped like
     * plain RTCP, should the SRTP session refuse it.
     */
    void add(RelayLeg leg, ByteBuf buf, int at, int length, int tagRoom, boolean rtcp, boolean inClear,
            InetSocketAddress source, DatagramPacket received) {
        int i = count++;
        from[i] = leg;
        work[i] = buf;
        this.received[i] = received;
        this.source[i] = source;
        this.at[i] = at;
        this.length[i] = length;
        this.room[i] = tagRoom;
        this.rtcp[i] = rtcp;
        this.inClear[i] = inClear;
        // for pooled memory one NIO view per receive buffer, shared by its datagrams: keep the offset now
        ByteBuffer nio = buf.internalNioBuffer(at, length);
        memory[i] = nio;
        nioOffset[i] = nio.position();
        leg.pendingInBurst++;
        if (count == CAPACITY) {
            process();
        } else if (!scheduled) {
            scheduled = true;
            loop.execute(processTask);
        }
    }

    /** Re-keys, forwards and flushes everything pending. Idempotent when empty. */
    void process() {
        scheduled = false;
        if (count == 0) {
            return;
        }
        unprotectAll();
        protectAll();
        writeAll();
        Arrays.fill(from, 0, count, null);
        Arrays.fill(work, 0, count, null);
        Arrays.fill(received, 0, count, null);
        Arrays.fill(source, 0, count, null);
        Arrays.fill(memory, 0, count, null);
        count = 0;
        for (int k = 0; k < flushCount; k++) {
            toFlush[k].flushPending();
            toFlush[k] = null;
        }
        flushCount = 0;
    }

    /** Step 1: every packet from an SRTP leg is unprotected with its leg's keys; the leg counts and latches. */
    private void unprotectAll() {
        srtp.clear();
        for (int i = 0; i < count; i++) {
            SrtpSession in = from[i].inbound();
            srtpIndex[i] = in == null ? -1 : srtp.add(in, rtcp[i] ? SrtpOperation.UNPROTECT_RTCP : SrtpOperation.UNPROTECT_RTP,
                    memory[i], nioOffset[i], length[i], length[i]);
        }
        if (srtp.size() > 0) {
            srtp.process();
        }
        for (int i = 0; i < count; i++) {
            RelayLeg leg = from[i];
            leg.pendingInBurst--;
            if (srtpIndex[i] >= 0) {
                SrtpStatus status = srtp.status(srtpIndex[i]);
                if (status != SrtpStatus.OK) {
                    leg.refused(status, rtcp[i], inClear[i]);
                    drop(i);
                    continue;
                }
                length[i] = srtp.length(srtpIndex[i]);
            }
            leg.accepted(source[i], rtcp[i], length[i]);
        }
    }

    /** Step 2: what is still here goes to the far leg, protected with its keys where it is SRTP. */
    private void protectAll() {
        srtp.clear();
        for (int i = 0; i < count; i++) {
            if (from[i] == null) {
                continue;
            }
            RelayLeg out = from[i].far();
            if (out.destination(rtcp[i]) == null) {
                out.noDestination();
                drop(i);
                continue;
            }
            SrtpSession protect = out.outbound();
            srtpIndex[i] = protect == null ? -1 : srtp.add(protect, rtcp[i] ? SrtpOperation.PROTECT_RTCP
                    : SrtpOperation.PROTECT_RTP, memory[i], nioOffset[i], length[i], length[i] + room[i]);
        }
        if (srtp.size() > 0) {
            srtp.process();
        }
        for (int i = 0; i < count; i++) {
            if (from[i] != null && srtpIndex[i] >= 0) {
                SrtpStatus status = srtp.status(srtpIndex[i]);
                if (status != SrtpStatus.OK) {
                    from[i].far().protectFailed(status);
                    drop(i);
                } else {
                    length[i] = srtp.length(srtpIndex[i]);
                }
            }
        }
        srtp.clear();
    }

    /** Step 3: the same memory goes out; each far socket is flushed once, after the burst. */
    private void writeAll() {
        for (int i = 0; i < count; i++) {
            if (from[i] == null) {
                continue;
            }
            RelayLeg out = from[i].far();
            ByteBuf outgoing;
            if (received[i] != null) {
                // a pooled (recycled) slice of the new length replaces the received one
                outgoing = work[i].retainedSlice(at[i], length[i]);
                received[i].release();
            } else {
                outgoing = work[i].writerIndex(at[i] + length[i]);
            }
            if (out.write(outgoing, rtcp[i], length[i])) {
                toFlush[flushCount++] = out;
            }
        }
    }

    private void drop(int i) {
        if (received[i] != null) {
            received[i].release();
        } else {
            work[i].release();
        }
        from[i] = null;
    }
}
