package org.sipshield.jni;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Non-blocking UDP sockets read and written in batches (recvmmsg / sendmmsg) straight from and into
 * caller-owned direct memory: the media relay's packet path, which must create no object per
 * packet. Sockets are plain file descriptors ({@code int}); results are counts or {@code -errno}.
 *
 * <h2>Addresses</h2>
 * A peer is a port and four ints: the big-endian words of its 16-octet IPv6 address, an IPv4 address
 * in its IPv4-mapped form ({@code ::ffff:a.b.c.d}). {@link #pack} and {@link #unpack} convert
 * (off the packet path: they allocate). An IPv6 socket is IPv6-only.
 *
 * <h2>Receiving</h2>
 * {@link #receive} reads up to {@code maxDatagrams} datagrams, datagram {@code i} into bytes
 * {@code [offset + i * slotSize, offset + (i + 1) * slotSize)} of the memory, and writes record
 * {@code i} of {@code received}: {@link #RECEIVED_INTS} ints, its length ({@link #TRUNCATED} when
 * it was longer than the slot: its tail is lost), then its source as {@link #pack} lays it out.
 *
 * <h2>Sending</h2>
 * {@link #send} sends {@code count} records of {@link #SENT_INTS} ints: the offset and length of the
 * datagram in the memory, then its destination as {@link #pack} lays it out. {@link #sendMany} sends
 * a burst for many sockets at once, each record led by its socket.
 *
 * <p>A socket is used by one thread at a time (the event loop it is registered on).
 */
public final class UdpNative {
    static {
        NativeLibrary.load();
    }

    private UdpNative() {}

    /** Most datagrams one {@link #receive} or {@link #send} call takes. */
    public static final int MAX_DATAGRAMS = 64;
    /** Ints per received record: length, port, address words 0..3. */
    public static final int RECEIVED_INTS = 6;
    /** Ints per sent record: offset, length, port, address words 0..3. */
    public static final int SENT_INTS = 7;
    /** Ints per record of {@link #sendMany}: the sending socket, then a {@link #SENT_INTS} record. */
    public static final int SENT_MANY_INTS = 8;
    /** Ints of an address as {@link #pack} writes it: port, address words 0..3. */
    public static final int ADDRESS_INTS = 5;
    /** The length of a datagram that did not fit its slot (the kernel cut it). */
    public static final int TRUNCATED = -1;

    public static final int EPERM = 1;
    public static final int EAGAIN = 11;
    public static final int EINVAL = 22;
    /** The system's file table is full. */
    public static final int ENFILE = 23;
    /** The process is at its open-file limit (RLIMIT_NOFILE). */
    public static final int EMFILE = 24;
    public static final int EADDRINUSE = 98;

    /**
     * A non-blocking UDP socket bound to {@code address} (4 octets: IPv4, 16: IPv6) and
     * {@code port} (0: any free port).
     *
     * @param bufferBytes SO_RCVBUF and SO_SNDBUF, 0 for the system's default
     * @return the file descriptor, or {@code -errno}
     */
    public static native int open(byte[] address, int port, int bufferBytes);

    /** The port the socket is bound to, or {@code -errno}. */
    public static native int localPort(int fd);

    /** @return 0 or {@code -errno} */
    public static native int close(int fd);

    /**
     * Reads what is waiting, up to {@code maxDatagrams} (1..{@link #MAX_DATAGRAMS}), without blocking.
     *
     * @return how many datagrams were read (0 when none was waiting), or {@code -errno}
     */
    public static native int receive(int fd, ByteBuffer memory, int offset, int slotSize, int maxDatagrams,
            int[] received);

    /**
     * Sends {@code count} (0..{@link #MAX_DATAGRAMS}) datagrams, as many per system call as the
     * kernel takes. A record outside the memory, or a destination this socket's family cannot reach,
     * is skipped; a datagram the kernel refuses does not stop the next; when the socket's send
     * buffer is full the rest is not sent.
     *
     * @return how many datagrams the kernel took, or {@code -errno} for a malformed call
     */
    public static native int send(int fd, ByteBuffer memory, int[] datagrams, int count);

    /**
     * Sends {@code count} (0..{@link #MAX_DATAGRAMS}) datagrams, each from the socket its record
     * names ({@link #SENT_MANY_INTS} ints: socket, offset, length, destination). With
     * {@code throughRing}, in one io_uring submission when this thread's ring is open
     * ({@link #sendRingError}); else with one sendmmsg per run of consecutive records of one socket.
     * Records of one socket leave in their order; nothing blocks (a full send buffer answers
     * {@code -EAGAIN}); every record is answered before the call returns.
     *
     * @param results gets, for each record, the octets sent or {@code -errno} ({@code -EINVAL} for a
     *                record outside the memory or with an impossible destination); at least {@code count} long
     * @return how many datagrams the kernel took, or {@code -EINVAL} for a malformed call (nothing
     *         sent, no result written)
     */
    public static native int sendMany(ByteBuffer memory, int[] datagrams, int count, int[] results, boolean throughRing);

    /**
     * Opens the calling thread's send ring (io_uring) if it has not tried yet; it closes when the
     * thread ends. One try per thread.
     *
     * @return 0 when this thread's {@link #sendMany} goes through io_uring, else the {@code -errno}
     *         that kept the ring from opening ({@code -ENOSYS}: an old kernel; {@code -EPERM}: io_uring
     *         disabled by the kernel.io_uring_disabled sysctl or a seccomp profile)
     */
    public static native int sendRingError();

    /** Ints per record of {@link #takeFromRing}: socket id, slot, length, stopped, then the source as {@link #pack} lays it out. */
    public static final int RING_RECORD_INTS = 9;
    /** Where a datagram starts in its receive-ring slot: the kernel's header and the source's room come first. */
    public static final int RING_PAYLOAD_AT = 44;
    public static final int ENOBUFS = 105;
    public static final int ECANCELED = 125;

    /**
     * Opens the calling thread's receive ring (io_uring): every socket {@link #listenOnRing listened to}
     * keeps a multishot recvmsg armed, its datagrams landing in the ring's {@code slots} slots of
     * {@code slotSize} octets (a power of two up to 32768 slots; a multiple of 64 from 128 to 65536 octets),
     * a datagram {@link #RING_PAYLOAD_AT} octets into its slot. The kernel receives only when this
     * thread calls {@link #takeFromRing}; {@link #waitOnRing} waits for something to receive, or for a
     * write to the eventfd written to {@code eventFdOrError[0]} (by any thread: a wake-up). Every ring
     * call acts on the calling thread's ring.
     *
     * @return the slots, valid until {@link #closeReceiveRing} (never use the buffer after it), or null:
     *         then {@code eventFdOrError[0]} is the {@code -errno} that kept the ring from opening
     */
    public static native ByteBuffer openReceiveRing(int slotSize, int slots, int[] eventFdOrError);

    /** Closes the calling thread's receive ring: its slots are gone, the kernel lets go of every socket. 0 or {@code -errno}. */
    public static native int closeReceiveRing();

    /** The ring receives {@code fd}'s datagrams from now on, reported under {@code socketId} (>= 0). 0 or {@code -errno}. */
    public static native int listenOnRing(int fd, int socketId);

    /**
     * Stops receiving for {@code socketId}: once this returns the ring holds the socket's file no more
     * (closing it frees its port), and its last record (stopped {@link #ECANCELED}) is waiting to be taken.
     */
    public static native int forgetOnRing(int socketId);

    /**
     * Receives what the kernel has for this thread's sockets, without blocking: up to
     * {@code maxRecords} (at most {@link #MAX_DATAGRAMS}) records of {@link #RING_RECORD_INTS} ints:
     * the socket id; the slot holding the datagram (-1: none); its length ({@link #TRUNCATED}: it
     * did not fit); 0 while the socket listens, else the errno why it stopped ({@link #ENOBUFS}: every
     * slot was held; {@link #ECANCELED}: forgotten), when it must be listened to again; its source.
     * A slot reported is the caller's until {@link #giveBackToRing given back}.
     *
     * @return the number of records, or {@code -errno}
     */
    public static native int takeFromRing(int[] records, int maxRecords);

    /**
     * Waits until the kernel has something for this thread's sockets, the ring's wake-up eventfd is
     * written, or {@code timeoutNanos} pass; returns at once when records are waiting. 0 or {@code -errno}.
     */
    public static native int waitOnRing(long timeoutNanos);

    /** Gives {@code slots[0..count)} back for new datagrams (one the caller does not hold is skipped); how many. */
    public static native int giveBackToRing(int[] slots, int count);


    /** Writes {@code address}'s port and address words at {@code into[at..at + ADDRESS_INTS)}. */
    public static void pack(InetSocketAddress address, int[] into, int at) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
        byte[] b = ip.getAddress();
        into[at] = address.getPort();
        if (ip instanceof Inet4Address) {
            into[at + 1] = 0;
            into[at + 2] = 0;
            into[at + 3] = 0xffff;
            into[at + 4] = word(b, 0);
        } else {
            for (int w = 0; w < 4; w++) {
                into[at + 1 + w] = word(b, 4 * w);
            }
        }
    }

    /** The address {@link #pack} wrote at {@code from[at..]} (IPv4-mapped words give an IPv4 address). */
    public static InetSocketAddress unpack(int[] from, int at) {
        byte[] b = new byte[16];
        for (int w = 0; w < 4; w++) {
            int v = from[at + 1 + w];
            b[4 * w] = (byte) (v >>> 24);
            b[4 * w + 1] = (byte) (v >>> 16);
            b[4 * w + 2] = (byte) (v >>> 8);
            b[4 * w + 3] = (byte) v;
        }
        try {
            // getByAddress turns an IPv4-mapped address into its Inet4Address
            return new InetSocketAddress(InetAddress.getByAddress(b), from[at]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 octets are always an address", e);
        }
    }

    private static int word(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }
}
