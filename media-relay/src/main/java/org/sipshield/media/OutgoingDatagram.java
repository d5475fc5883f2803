package org.sipshield.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A datagram the relay writes, reused from packet to packet instead of a new
 * {@link DatagramPacket} per write. It stays a DatagramPacket so epoll still batches several
 * queued on one socket into one sendmmsg; the channel releases it once the kernel has taken it
 * (or the write failed), which hands it back to its loop's {@link Pool}. Confined to one event loop.
 *
 * <p>The sockets stay unconnected (sendto with this recipient): a connected UDP socket would have
 * the kernel drop a foreign sender's packets unseen, and the relay must count them.
 */
final class OutgoingDatagram extends DatagramPacket {
    /** Satisfies the superclass's non-null checks; never read, content() and recipient() are ours. */
    private static final InetSocketAddress UNUSED = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);

    private final Pool pool;
    private ByteBuf content;
    private InetSocketAddress recipient;

    private OutgoingDatagram(Pool pool) {
        super(Unpooled.EMPTY_BUFFER, UNUSED);
        this.pool = pool;
    }

    @Override
    public ByteBuf content() {
        return content;
    }

    @Override
    public InetSocketAddress recipient() {
        return recipient;
    }

    @Override
    public int refCnt() {
        return content == null ? 0 : content.refCnt();
    }

    // the superclass's reference counting works on its own (unused) content: every one is redirected

    @Override
    public OutgoingDatagram retain() {
        content.retain();
        return this;
    }

    @Override
    public OutgoingDatagram retain(int increment) {
        content.retain(increment);
        return this;
    }

    @Override
    public OutgoingDatagram touch() {
        content.touch();
        return this;
    }

    @Override
    public OutgoingDatagram touch(Object hint) {
        content.touch(hint);
        return this;
    }

    /** The channel is done with it: its bytes go back to the buffer pool, the datagram to its loop's pool. */
    @Override
    public boolean release() {
        return release(1);
    }

    @Override
    public boolean release(int decrement) {
        ByteBuf bytes = content;
        if (bytes == null) {
            return false; // already back in the pool: must not be pooled twice
        }
        boolean freed = bytes.release(decrement);
        if (freed) {
            content = null;
            recipient = null;
            pool.give(this);
        }
        return freed;
    }

    @Override
    public String toString() {
        return "OutgoingDatagram(" + (content == null ? "free" : content.readableBytes() + " octets") + ")";
    }

    /**
     * Per event loop: the datagrams of the packets in flight on that loop's sockets, at most
     * {@link #KEPT} kept for reuse (a socket that backs up may hold many; beyond that they are garbage).
     */
    static final class Pool {
        static final int KEPT = 1024;
        private final OutgoingDatagram[] free = new OutgoingDatagram[KEPT];
        private int count;
        private long created;

        /** A datagram of {@code bytes} (whose reference it takes over) towards {@code recipient}. */
        OutgoingDatagram take(ByteBuf bytes, InetSocketAddress recipient) {
            OutgoingDatagram d;
            if (count > 0) {
                d = free[--count];
                free[count] = null;
            } else {
                d = new OutgoingDatagram(this);
                created++;
            }
            d.content = bytes;
            d.recipient = recipient;
            return d;
        }

        void give(OutgoingDatagram d) {
            if (count < KEPT) {
                free[count++] = d;
            }
        }

        /** Datagrams ever made (not reused): stays flat once a loop has warmed up. */
        long created() {
            return created;
        }

        /** Datagrams waiting for reuse. */
        int available() {
            return count;
        }
    }
}
