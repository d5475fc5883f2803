package org.sipshield.media;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.sipshield.jni.UdpNative;
import org.sipshield.srtp.SrtpOperation;
import org.sipshield.srtp.SrtpPacketBatch;
import org.sipshield.srtp.SrtpSession;
import org.sipshield.srtp.SrtpStatus;

/**
 * The packets one event-loop wake-up read, from all the sockets of all the sessions on that loop,
 * in one direct memory of fixed slots: the kernel writes each datagram into its slot (the slots of
 * the loop thread's receive ring, {@link #readRing}; or, without one, recvmmsg's, {@link #readFrom}), one JNI crossing
 * unprotects them all there (each with its leg's keys), one protects them all for their far legs in
 * the same slots (a slot leaves room for the tag), and one io_uring submission sends them all from
 * the same memory, each from its far leg's socket. Sources and destinations travel as ints ({@link PeerAddress}):
 * nothing here allocates per packet, and no byte is copied between the socket and the SRTP core.
 *
 * <p>The burst is processed once the loop has read every socket that was ready
 * ({@link BurstingIoHandlerFactory}), or at once when its slots are full. Anything that changes a
 * leg (signalling, close, media timeout) processes the burst first, so a packet meets the
 * configuration that was in force when it was read, as if processed on arrival. One per event
 * loop; confined to it.
 */
final class PacketBurst {
    /** Packets per burst (recvmmsg's slots; a receive ring has {@link #RING_SLOTS}). */
    static final int CAPACITY = 64;
    private static final int SLOT = MediaRelay.DATAGRAM_SLOT;
    private static final int READ = Math.max(1, Math.min(MediaRelay.DATAGRAMS_PER_READ, UdpNative.MAX_DATAGRAMS));
    private static final int ADDRESS = UdpNative.ADDRESS_INTS;

    /** Slots of the receive ring: a burst's worth several times over, so the kernel rarely runs out between two wake-ups. */
    static final int RING_SLOTS = 128;

    /** recvmmsg's slots, or the receive ring's once the loop has one ({@link #receiveThroughRing}). */
    private ByteBuffer memory = ByteBuffer.allocateDirect(CAPACITY * SLOT);
    /** Where a datagram starts in its slot: 0 for recvmmsg, after the kernel's header in a ring slot. */
    private int payloadAt;
    private final int[] received = new int[READ * UdpNative.RECEIVED_INTS];
    /** The receive ring's sockets by id (null: free), its records, and the slots a round holds. */
    private RelaySocket[] ringSockets;
    private int ringSocketsUsed;
    private int[] freeRingIds = new int[0];
    private int freeRingIdCount;
    private final int[] ringRecords = new int[CAPACITY * UdpNative.RING_RECORD_INTS];
    private final int[] ringHeld = new int[CAPACITY];
    /** The loop's thread: a ring is its thread's, and no other thread may act on it. */
    private Thread ringThread;
    private final SrtpPacketBatch srtp = new SrtpPacketBatch(CAPACITY);
    private final RelayLeg[] from = new RelayLeg[CAPACITY];
    private final int[] at = new int[CAPACITY];
    private final int[] length = new int[CAPACITY];
    private final int[] room = new int[CAPACITY];
    private final boolean[] rtcp = new boolean[CAPACITY];
    private final boolean[] inClear = new boolean[CAPACITY];
    private final int[] source = new int[CAPACITY * ADDRESS];
    private final int[] srtpIndex = new int[CAPACITY];
    private final RelaySocket[] to = new RelaySocket[CAPACITY];
    private final int[] sending = new int[CAPACITY * UdpNative.SENT_MANY_INTS];
    /** The burst's indexes of the packets in {@link #sending}, in order, the legs that send them, and what the kernel said. */
    private final int[] batch = new int[CAPACITY];
    private final RelayLeg[] sentBy = new RelayLeg[CAPACITY];
    private final int[] sendResults = new int[CAPACITY];
    /** Whether the loop sends through its thread's io_uring when the kernel lets it (sipshield.media.ioUring). */
    private final boolean throughRing;
    private int count;
    /** Slots holding a datagram: read and not yet forwarded or dropped, or not yet looked at. */
    private int slotsUsed;
    /** While a read's datagrams are handed to their legs: the slots up to here are still theirs. */
    private int slotsHeld;
    private long reads;
    private long packetsRead;
    private long wakeUpsWithPackets;
    /** The loop's progress, for its real-time watchdog: every socket read and every finished wake-up move it. */
    private LoopProgress progress;
    private long packetsReadBeforeThisWakeUp;
    /** Run at the end of each of the loop's wake-ups while the relay warms up ({@link RelayWarmUp}); else null. */
    private Runnable warmUp;

    /** @param throughRing whether the loop sends through its thread's io_uring when the kernel lets it */
    PacketBurst(boolean throughRing) {
        this.throughRing = throughRing;
    }

    /** Whether its loop sends through the loop thread's io_uring when the kernel lets it. */
    boolean sendsThroughRing() {
        return throughRing;
    }

    /** Before the loop's first wake-up: where its reads and wake-ups count as progress. Loop only. */
    void countProgressIn(LoopProgress progress) {
        this.progress = progress;
    }

    /**
     * Reads what is waiting on {@code socket} into free slots and hands each datagram to its leg,
     * which adds it to the burst (or drops and counts it). Bounded: level-triggered epoll wakes the
     * loop again for whatever a full read left behind.
     */
    void readFrom(RelaySocket socket) {
        progressed();
        for (int round = 0; round < 4; round++) {
            if (slotsUsed + READ > CAPACITY) {
                process();
            }
            int first = slotsUsed;
            int n = UdpNative.receive(socket.fdValue(), memory, first * SLOT, SLOT, READ, received);
            if (n <= 0) {
                if (n < 0) {
                    // an error the socket had pending (reading clears it); a peer gone away is the media timeout's business
                    RelaySession.LOG.debug("{}: receive: errno {}", socket, -n);
                }
                return;
            }
            reads++;
            packetsRead += n;
            slotsUsed = first + n;
            slotsHeld = slotsUsed;
            RelayLeg leg = socket.leg();
            boolean rtcpPort = socket.isRtcpPort();
            for (int k = 0; k < n; k++) {
                leg.receive(this, first + k, received[k * UdpNative.RECEIVED_INTS], received, k * UdpNative.RECEIVED_INTS + 1,
                        rtcpPort);
            }
            slotsHeld = 0;
            if (n < READ) {
                return;
            }
        }
    }

    /**
     * On the loop's thread, before any socket joins: from now on the loop's sockets are read through
     * the thread's receive ring, whose slots become the burst's memory. Returns 0, or the -errno that
     * kept the ring from opening (the loop then reads each ready socket with recvmmsg).
     */
    int receiveThroughRing() {
        int[] doorbellOrError = new int[1];
        ByteBuffer slots = UdpNative.openReceiveRing(SLOT, RING_SLOTS, doorbellOrError);
        if (slots == null) {
            return doorbellOrError[0];
        }
        memory = slots;
        payloadAt = UdpNative.RING_PAYLOAD_AT;
        ringSockets = new RelaySocket[64];
        ringThread = Thread.currentThread();
        return doorbellOrError[0];
    }

    /** The loop ends: its ring and the ring's slots are gone (a late use of the memory throws, never reads freed memory). */
    void closeRing() {
        if (ringThread == Thread.currentThread()) {
            memory = ByteBuffer.allocateDirect(0);
            UdpNative.closeReceiveRing();
        }
    }

    /** Whether the loop's sockets are read through its receive ring. */
    boolean readsThroughRing() {
        return ringSockets != null;
    }

    /** The socket's datagrams are received from now on (through the ring: its id is its place there). Loop only. */
    void listen(RelaySocket socket) {
        if (ringThread != Thread.currentThread()) {
            throw new IllegalStateException(socket + ": only its loop's thread may add it to the loop's receive ring");
        }
        int id;
        if (freeRingIdCount > 0) {
            id = freeRingIds[--freeRingIdCount];
        } else {
            if (ringSocketsUsed == ringSockets.length) {
                ringSockets = Arrays.copyOf(ringSockets, ringSockets.length * 2);
            }
            id = ringSocketsUsed++;
        }
        int rc = UdpNative.listenOnRing(socket.fdValue(), id);
        if (rc != 0) {
            freeId(id);
            throw new IllegalStateException(socket + ": the receive ring refused it: errno " + -rc);
        }
        ringSockets[id] = socket;
        socket.listening(id, true);
    }

    /**
     * The ring lets go of the socket before it closes (its port is free once it is closed); its id is
     * free once the ring's last record for it is taken. Loop only.
     */
    void forget(RelaySocket socket) {
        if (ringThread != Thread.currentThread()) {
            // off the loop (it has ended): its ring, closing with the thread, lets go of every socket
            return;
        }
        if (!socket.armed()) {
            // nothing of it is left on the ring (it stopped and could not listen again): the id is free now
            ringSockets[socket.ringId()] = null;
            freeId(socket.ringId());
            return;
        }
        int rc = UdpNative.forgetOnRing(socket.ringId());
        if (rc != 0) {
            RelaySession.LOG.debug("{}: the receive ring did not let go of it: errno {}", socket, -rc);
        }
    }

    /** The ring's sockets still open: the loop closes them as it ends. */
    java.util.List<RelaySocket> ringSockets() {
        java.util.List<RelaySocket> open = new java.util.ArrayList<>();
        for (int i = 0; i < ringSocketsUsed; i++) {
            if (ringSockets[i] != null && !ringSockets[i].isClosed()) {
                open.add(ringSockets[i]);
            }
        }
        return open;
    }

    private void freeId(int id) {
        if (freeRingIdCount == freeRingIds.length) {
            freeRingIds = Arrays.copyOf(freeRingIds, Math.max(64, freeRingIds.length * 2));
        }
        freeRingIds[freeRingIdCount++] = id;
    }

    /**
     * Takes what the kernel received for all the loop's sockets, a burst at a time: each datagram goes
     * to its socket's leg, the burst is processed, the slots go back to the kernel, and a socket that
     * stopped listening (every slot was held) listens again. Bounded: what is left is taken on the loop's
     * next wake-up (its wait on the ring ends at once while records are waiting).
     */
    void readRing() {
        progressed();
        for (int round = 0; round < 16; round++) {
            int n = UdpNative.takeFromRing(ringRecords, CAPACITY);
            if (n <= 0) {
                if (n < 0) {
                    RelaySession.LOG.debug("receive ring: errno {}", -n);
                }
                return;
            }
            reads++;
            int held = 0;
            for (int k = 0; k < n; k++) {
                int r = k * UdpNative.RING_RECORD_INTS;
                int slot = ringRecords[r + 1];
                if (slot < 0) {
                    continue;
                }
                ringHeld[held++] = slot;
                packetsRead++;
                int id = ringRecords[r];
                RelaySocket socket = id < ringSocketsUsed ? ringSockets[id] : null;
                if (socket != null && !socket.isClosed()) {
                    socket.leg().receive(this, slot, ringRecords[r + 2], ringRecords, r + 4, socket.isRtcpPort());
                }
            }
            process();
            UdpNative.giveBackToRing(ringHeld, held);
            for (int k = 0; k < n; k++) {
                int r = k * UdpNative.RING_RECORD_INTS;
                if (ringRecords[r + 3] != 0 && ringRecords[r] < ringSocketsUsed) {
                    stoppedListening(ringRecords[r], ringRecords[r + 3]);
                }
            }
            if (n < CAPACITY) {
                return;
            }
        }
    }

    private void stoppedListening(int id, int errno) {
        RelaySocket socket = ringSockets[id];
        if (socket == null) {
            return;
        }
        socket.listening(id, false);
        if (socket.isClosed() || errno == UdpNative.ECANCELED) {
            // the ring's last word on it: the id may serve another socket
            ringSockets[id] = null;
            freeId(id);
            return;
        }
        if (errno != UdpNative.ENOBUFS) {
            RelaySession.LOG.debug("{}: receive: errno {}", socket, errno);
        }
        int rc = UdpNative.listenOnRing(socket.fdValue(), id);
        if (rc != 0) {
            RelaySession.LOG.warn("{}: no longer received: the receive ring refused it again: errno {}", socket, -rc);
            return;
        }
        socket.listening(id, true);
    }

    /** The packet's bytes, for the leg's checks: the burst's memory (absolute indexes, see {@link #offset}). */
    ByteBuffer memory() {
        return memory;
    }

    /** Where the datagram in slot {@code slot} starts in {@link #memory()}. */
    int offset(int slot) {
        return slot * SLOT + payloadAt;
    }

    /** Octets a slot holds from where its datagram starts: the datagram and what protecting it adds. */
    int slotRoom() {
        return SLOT - payloadAt;
    }

    /**
     * Takes a packet that passed the leg's checks (configured, from its peer, RTP/RTCP-shaped, room
     * for the tag): {@code length} octets in slot {@code slot}, which it may grow by {@code tagRoom};
     * its source is at {@code sourceWords[sourceAt..]}. {@code inClear}: an RTCP packet shaped like
     * plain RTCP, should the SRTP session refuse it.
     */
    void add(RelayLeg leg, int slot, int length, int tagRoom, boolean rtcp, boolean inClear, int[] sourceWords, int sourceAt) {
        int i = count++;
        from[i] = leg;
        this.at[i] = offset(slot);
        this.length[i] = length;
        this.room[i] = tagRoom;
        this.rtcp[i] = rtcp;
        this.inClear[i] = inClear;
        System.arraycopy(sourceWords, sourceAt, source, i * ADDRESS, ADDRESS);
        leg.pendingInBurst++;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Re-keys, forwards and sends everything pending. Idempotent when empty. */
    void process() {
        if (count > 0) {
            unprotectAll();
            protectAll();
            sendAll();
            Arrays.fill(from, 0, count, null);
            Arrays.fill(to, 0, count, null);
            count = 0;
        }
        // the slots of datagrams still being handed to their legs stay theirs
        slotsUsed = slotsHeld;
    }

    /** Step 1: every packet from an SRTP leg is unprotected with its leg's keys; the leg counts and latches. */
    private void unprotectAll() {
        srtp.clear();
        for (int i = 0; i < count; i++) {
            SrtpSession in = from[i].inbound();
            srtpIndex[i] = in == null ? -1 : srtp.add(in, rtcp[i] ? SrtpOperation.UNPROTECT_RTCP : SrtpOperation.UNPROTECT_RTP,
                    memory, at[i], length[i], length[i]);
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
                    from[i] = null;
                    continue;
                }
                length[i] = srtp.length(srtpIndex[i]);
            }
            leg.accepted(source, i * ADDRESS, rtcp[i], length[i]);
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
                from[i] = null;
                continue;
            }
            SrtpSession protect = out.outbound();
            srtpIndex[i] = protect == null ? -1 : srtp.add(protect, rtcp[i] ? SrtpOperation.PROTECT_RTCP
                    : SrtpOperation.PROTECT_RTP, memory, at[i], length[i], length[i] + room[i]);
        }
        if (srtp.size() > 0) {
            srtp.process();
        }
        for (int i = 0; i < count; i++) {
            if (from[i] != null && srtpIndex[i] >= 0) {
                SrtpStatus status = srtp.status(srtpIndex[i]);
                if (status != SrtpStatus.OK) {
                    from[i].far().protectFailed(status);
                    from[i] = null;
                } else {
                    length[i] = srtp.length(srtpIndex[i]);
                }
            }
        }
        srtp.clear();
    }

    /**
     * Step 3: the same memory goes out, all of it in one call: through the loop thread's io_uring, one
     * system call for every socket of the burst (or, without one, one sendmmsg per far socket). The
     * records are grouped by socket, so a socket's packets leave in the order they came. Only what the
     * kernel took counts as sent; a packet it refused (a full send buffer) counts as not sent.
     */
    private void sendAll() {
        for (int i = 0; i < count; i++) {
            if (from[i] != null) {
                to[i] = from[i].far().socketFor(rtcp[i]);
            }
        }
        int n = 0;
        for (int i = 0; i < count; i++) {
            RelaySocket socket = to[i];
            if (socket == null) {
                continue;
            }
            RelayLeg out = socket.leg();
            for (int j = i; j < count; j++) {
                if (to[j] == socket) {
                    int r = n * UdpNative.SENT_MANY_INTS;
                    sending[r] = socket.fdValue();
                    sending[r + 1] = at[j];
                    sending[r + 2] = length[j];
                    out.destination(rtcp[j]).writeTo(sending, r + 3);
                    batch[n] = j;
                    sentBy[n++] = out;
                    to[j] = null;
                }
            }
        }
        if (n == 0) {
            return;
        }
        int sent = UdpNative.sendMany(memory, sending, n, sendResults, throughRing);
        for (int k = 0; k < n; k++) {
            if (sent >= 0 && sendResults[k] >= 0) {
                sentBy[k].sent(length[batch[k]], rtcp[batch[k]]);
            } else {
                sentBy[k].notSent(1);
            }
            sentBy[k] = null;
        }
    }

    /** From now on, {@code round} runs at the end of each wake-up of this burst's loop (null: nothing does). Loop only. */
    void afterWakeUp(Runnable round) {
        warmUp = round;
    }

    /** The loop's wake-up is done: its packets are read and sent. */
    void wakeUpDone() {
        progressed();
        if (packetsRead != packetsReadBeforeThisWakeUp) {
            wakeUpsWithPackets++;
            packetsReadBeforeThisWakeUp = packetsRead;
        }
        if (warmUp != null) {
            warmUp.run();
        }
    }

    private void progressed() {
        progress.progressed();
    }

    /** recvmmsg calls that returned datagrams, and the datagrams they returned (for measurements). */
    long reads() {
        return reads;
    }

    long packetsRead() {
        return packetsRead;
    }

    /** Datagrams read since the loop's last wake-up ended (its {@link BatchWindow} paces by them). */
    long packetsThisWakeUp() {
        return packetsRead - packetsReadBeforeThisWakeUp;
    }

    /** The loop's wake-ups that read at least one datagram (media.batchWindowMicros makes them fewer). */
    long wakeUpsWithPackets() {
        return wakeUpsWithPackets;
    }
}
