package org.sipshield.srtp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.sipshield.jni.SrtpNative;

/**
 * Packets of many sessions, each in place in its own buffer (e.g. what one event-loop wake-up read
 * from many sockets, in the sockets' own receive memory), processed by {@link #process()} in one
 * JNI crossing when every packet is in a direct buffer of a native session; otherwise one call per
 * packet, in order. Each packet's result, counters and key lifetime are exactly those of the
 * single-packet methods of its {@link SrtpSession}. The batch keeps no packet bytes of its own.
 *
 * <p>Reusable: {@link #clear()} and fill again; filling and processing allocate nothing. Not
 * thread-safe: like its sessions, it belongs to one thread (the media path's event loop).
 */
public final class SrtpPacketBatch {
    private final int capacity;
    private final SrtpSession[] sessions;
    private final long[] handles;
    private final int[] ops;
    private final ByteBuffer[] buffers;
    private final int[] offsets;
    private final int[] lengths;  // in: packet lengths; after process(): new length or -status code
    private final int[] capacities;
    private final boolean[] reserved;
    private int count;
    private boolean processed;

    public SrtpPacketBatch(int capacity) {
        if (capacity < 1 || capacity > SrtpNative.MAX_BATCH) {
            throw new IllegalArgumentException("batch capacity 1.." + SrtpNative.MAX_BATCH + " required, got " + capacity);
        }
        this.capacity = capacity;
        this.sessions = new SrtpSession[capacity];
        this.handles = new long[capacity];
        this.ops = new int[capacity];
        this.buffers = new ByteBuffer[capacity];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.capacities = new int[capacity];
        this.reserved = new boolean[capacity];
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return count;
    }

    public boolean isFull() {
        return count == capacity;
    }

    /**
     * Adds the packet at bytes {@code [offset, offset + length)} of {@code buffer}, which it may
     * grow to {@code room} octets (at least {@code length} plus the operation's
     * {@link SrtpSession#maxOverhead}). The buffer's position and limit are not used, so one buffer
     * object may carry many packets of the batch; its bytes must stay put until {@link #process()}.
     *
     * @return the packet's index in the batch
     * @throws IllegalStateException if the batch is full or was processed and not cleared
     * @throws IllegalArgumentException if the operation is not the session's direction, or the
     *     packet does not lie inside the buffer
     */
    public int add(SrtpSession session, SrtpOperation operation, ByteBuffer buffer, int offset, int length, int room) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(buffer, "buffer");
        if (count == capacity || processed) {
            throw new IllegalStateException(processed ? "batch processed: clear() it first" : "batch full");
        }
        if (operation.direction() != session.direction()) {
            throw new IllegalArgumentException(operation + " on an " + session.direction() + " session");
        }
        if (offset < 0 || length < 0 || room < length || (long) offset + room > buffer.capacity()) {
            throw new IllegalArgumentException("packet [" + offset + ", +" + length + ", room " + room
                    + "] outside a buffer of " + buffer.capacity());
        }
        int i = count++;
        sessions[i] = session;
        ops[i] = operation.code();
        buffers[i] = buffer;
        offsets[i] = offset;
        capacities[i] = room;
        SrtpStatus refused = session.reserve(buffer);
        reserved[i] = refused == null;
        lengths[i] = refused == null ? length : -refused.code();
        return i;
    }

    /**
     * Processes every packet not already refused by {@link #add}, in index order.
     *
     * @return how many packets succeeded
     */
    public int process() {
        if (processed) {
            throw new IllegalStateException("batch already processed");
        }
        processed = true;
        boolean oneCrossing = true;
        for (int i = 0; i < count; i++) {
            SrtpSession s = sessions[i];
            if (!reserved[i]) {
                handles[i] = 0;  // answered at add(); the native call leaves a 0 handle's code alone below
            } else if (s.isClosed()) {
                lengths[i] = -SrtpStatus.SESSION_CLOSED.code();  // closed after add(): never hand its handle over
                handles[i] = 0;
            } else if (s instanceof NativeSrtpSession n && buffers[i].isDirect()) {
                handles[i] = n.handle();
            } else {
                oneCrossing = false;
            }
        }
        if (oneCrossing) {
            processInOneCrossing();
        } else {
            for (int i = 0; i < count; i++) {
                if (reserved[i] && !sessions[i].isClosed()) {
                    lengths[i] = sessions[i].processOne(ops[i], buffers[i], offsets[i], lengths[i], capacities[i]);
                }
            }
        }
        int ok = 0;
        for (int i = 0; i < count; i++) {
            if (reserved[i]) {
                sessions[i].settle(lengths[i]);
            }
            if (lengths[i] >= 0) {
                ok++;
            }
        }
        return ok;
    }

    private void processInOneCrossing() {
        // packets answered without the engine keep their code: the native call would overwrite it
        // with BAD_ARGUMENT for their 0 handle, so it gets them with a copy put back afterwards
        int skipped = 0;
        for (int i = 0; i < count; i++) {
            if (handles[i] == 0) {
                skipped++;
            }
        }
        if (skipped == 0) {
            SrtpNative.processPackets(handles, ops, buffers, offsets, lengths, capacities, count);
            return;
        }
        for (int i = 0; i < count; i++) {
            if (handles[i] == 0) {
                capacities[i] = lengths[i];  // parked here: the packet is not processed, its room is not needed
            }
        }
        SrtpNative.processPackets(handles, ops, buffers, offsets, lengths, capacities, count);
        for (int i = 0; i < count; i++) {
            if (handles[i] == 0) {
                lengths[i] = capacities[i];
            }
        }
    }

    /** After {@link #process()}: the packet's status. */
    public SrtpStatus status(int i) {
        checkProcessed(i);
        return lengths[i] >= 0 ? SrtpStatus.OK : SrtpStatus.ofCode(-lengths[i]);
    }

    /** After {@link #process()}: the packet's new length, or -1 if it failed. */
    public int length(int i) {
        checkProcessed(i);
        return Math.max(lengths[i], -1);
    }

    private void checkProcessed(int i) {
        Objects.checkIndex(i, count);
        if (!processed) {
            throw new IllegalStateException("batch not processed yet");
        }
    }

    /**
     * Empties the batch for reuse and lets go of its sessions and buffers. Packets added and never
     * processed give their reservation back.
     */
    public void clear() {
        for (int i = 0; i < count; i++) {
            if (!processed && reserved[i]) {
                sessions[i].unreserve();
            }
        }
        Arrays.fill(sessions, 0, count, null);
        Arrays.fill(buffers, 0, count, null);
        count = 0;
        processed = false;
    }
}
