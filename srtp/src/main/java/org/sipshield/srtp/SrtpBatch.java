package org.sipshield.srtp;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.sipshield.jni.SrtpNative;

/**
 * Up to {@link #capacity()} packets in one direct buffer of fixed-size slots, processed by
 * {@link SrtpSession#process} in one call (one JNI crossing on the native engines). Slot
 * {@code i} starts at {@code i * slotSize}. Fill with {@link #add(int)} after writing a packet into
 * {@link #slot(int)}; after processing read {@link #status(int)} and {@link #length(int)}.
 * Reusable: {@link #clear()} and fill again. Not thread-safe.
 */
public final class SrtpBatch {
    private final ByteBuffer buffer;
    private final int slotSize;
    private final int capacity;
    private final int[] offsets;
    private final int[] lengths;
    private final ByteBuffer[] slots;
    private int count;

    /**
     * @param slotSize room per packet including what protection appends (e.g. 1500 for UDP)
     */
    public SrtpBatch(int capacity, int slotSize) {
        if (capacity < 1 || capacity > SrtpNative.MAX_BATCH || slotSize < 12) {
            throw new IllegalArgumentException("batch capacity 1.." + SrtpNative.MAX_BATCH + " and slot size >= 12 required");
        }
        this.capacity = capacity;
        this.slotSize = slotSize;
        this.buffer = ByteBuffer.allocateDirect(capacity * slotSize);
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.slots = new ByteBuffer[capacity];
        for (int i = 0; i < capacity; i++) {
            offsets[i] = i * slotSize;
            slots[i] = buffer.duplicate().position(i * slotSize).limit((i + 1) * slotSize).slice();
        }
    }

    public int capacity() {
        return capacity;
    }

    public int slotSize() {
        return slotSize;
    }

    public int size() {
        return count;
    }

    public void clear() {
        count = 0;
    }

    /**
     * The view of slot {@code i} (capacity {@code slotSize}). The same object every call, so the
     * media path allocates nothing; its position and limit are the caller's to set.
     */
    public ByteBuffer slot(int i) {
        Objects.checkIndex(i, capacity);
        return slots[i];
    }

    /** Declares the packet written into the next slot ({@link #size()}) as {@code length} octets. */
    public void add(int length) {
        if (count == capacity) {
            throw new IllegalStateException("batch full");
        }
        if (length < 0 || length > slotSize) {
            throw new IllegalArgumentException("packet length " + length + " does not fit a " + slotSize + "-octet slot");
        }
        lengths[count++] = length;
    }

    /** After processing: the packet's new length, or -1 if it failed. */
    public int length(int i) {
        Objects.checkIndex(i, count);
        return Math.max(lengths[i], -1);
    }

    /** After processing: the packet's status. */
    public SrtpStatus status(int i) {
        Objects.checkIndex(i, count);
        return lengths[i] >= 0 ? SrtpStatus.OK : SrtpStatus.ofCode(-lengths[i]);
    }

    ByteBuffer buffer() {
        return buffer;
    }

    int[] offsets() {
        return offsets;
    }

    int[] rawLengths() {
        return lengths;
    }
}
