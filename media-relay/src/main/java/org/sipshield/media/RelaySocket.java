package org.sipshield.media;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;

/**
 * One of a leg's UDP sockets (RTP, or RTCP without rtcp-mux), read by its session's event loop:
 * through the loop's receive ring where the kernel allows one (its datagrams land in the ring's
 * slots, {@link PacketBurst#readRing}), else registered on the loop's epoll as a plain file
 * descriptor whose datagrams the loop's {@link PacketBurst} reads with recvmmsg when it is readable.
 * What goes out to this socket's peer leaves with the burst's one submission. No Netty channel, pipeline or datagram object is involved, so
 * nothing is allocated per packet; the socket stays unconnected, so a foreign sender's packets are
 * still read and counted.
 *
 * <p>Confined to its event loop once registered (level-triggered: a read that leaves datagrams
 * waiting is woken again on the next wake-up).
 */
final class RelaySocket implements EpollIoHandle {
    private final FileDescriptor fd;
    private final RelayLeg leg;
    private final boolean rtcpPort;
    private final PacketBurst burst;
    private IoRegistration registration;
    /** Its id on the loop's receive ring, -1 when the loop reads it with recvmmsg on epoll's word. */
    private int ringId = -1;
    private boolean armed;
    private boolean closed;

    RelaySocket(int fd, RelayLeg leg, boolean rtcpPort, PacketBurst burst) {
        this.fd = new FileDescriptor(fd);
        this.leg = leg;
        this.rtcpPort = rtcpPort;
        this.burst = burst;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    int fdValue() {
        return fd.intValue();
    }

    RelayLeg leg() {
        return leg;
    }

    boolean isRtcpPort() {
        return rtcpPort;
    }

    void registered(IoRegistration registration) {
        this.registration = registration;
    }

    /** The loop's receive ring reads it under {@code id}; {@code armed}: its recvmsg is on the ring (not stopped). */
    void listening(int id, boolean armed) {
        ringId = id;
        this.armed = armed;
    }

    boolean armed() {
        return armed;
    }

    int ringId() {
        return ringId;
    }

    boolean isClosed() {
        return closed;
    }

    /** Readable (or an error is pending, which the read clears): the burst reads what is waiting. */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        burst.readFrom(this);
    }

    /** Leaves the event loop and closes the socket; idempotent. On the event loop, or when it shuts down. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ringId >= 0) {
            burst.forget(this);
        } else if (registration != null && registration.isValid()) {
            registration.cancel();
        }
        try {
            fd.close();
        } catch (IOException e) {
            RelaySession.LOG.debug("{}: closing socket: {}", leg, e.toString());
        }
    }

    @Override
    public String toString() {
        return leg + (rtcpPort ? " RTCP" : " RTP");
    }
}
