package org.sipshield.media;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Native;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.sipshield.jni.UdpNative;

/**
 * Netty's epoll I/O handler with one step added to every wake-up: once epoll's ready sockets have
 * all been read into the loop's {@link PacketBurst}, the burst is re-keyed and sent. So the packets
 * of one wake-up, from every socket of every session on the loop, cross into the SRTP core together,
 * without a task queued per burst (a queued task would be an allocation on the packet path).
 */
final class BurstingIoHandlerFactory implements IoHandlerFactory {
    private final IoHandlerFactory epoll;
    private final Map<ThreadAwareExecutor, PacketBurst> bursts;
    private final long batchWindowNanos;
    private final boolean sendThroughRing;
    private final boolean receiveThroughRing;

    /**
     * @param bursts filled with each new loop's burst, keyed by the loop
     * @param batchWindowNanos each loop's {@link BatchWindow} (0: every packet wakes its loop)
     * @param sendThroughRing whether each loop sends its bursts through its thread's io_uring when the kernel allows it
     * @param receiveThroughRing whether each loop receives through its thread's receive ring when the kernel allows it
     */
    BurstingIoHandlerFactory(IoHandlerFactory epoll, Map<ThreadAwareExecutor, PacketBurst> bursts, long batchWindowNanos,
            boolean sendThroughRing, boolean receiveThroughRing) {
        this.epoll = epoll;
        this.bursts = bursts;
        this.batchWindowNanos = batchWindowNanos;
        this.sendThroughRing = sendThroughRing;
        this.receiveThroughRing = receiveThroughRing;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor loop) {
        PacketBurst burst = new PacketBurst(sendThroughRing);
        bursts.put(loop, burst);
        return new Handler(loop, epoll.newHandler(loop), burst, new BatchWindow(batchWindowNanos), receiveThroughRing);
    }

    private static final class Handler implements IoHandler {
        private final ThreadAwareExecutor loop;
        private final IoHandler epoll;
        private final PacketBurst burst;
        private final BatchWindow window;
        private final ReadNow readNow = new ReadNow();
        private final boolean receiveThroughRing;
        /** The receive ring's wake-up eventfd (any thread may write it, holding the handler's lock), -1 without a ring. */
        private volatile int ringDoorbell = -1;

        Handler(ThreadAwareExecutor loop, IoHandler epoll, PacketBurst burst, BatchWindow window, boolean receiveThroughRing) {
            this.loop = loop;
            this.epoll = epoll;
            this.burst = burst;
            this.window = window;
            this.receiveThroughRing = receiveThroughRing;
        }

        @Override
        public void initialize() {
            // the loop is whole only now: Netty makes its handler while constructing it
            burst.countProgressIn(RelayEventLoopGroup.progressOf(loop));
            if (burst.sendsThroughRing()) {
                // on the loop's own thread: the ring is this thread's, opened here rather than on its first packet
                int error = UdpNative.sendRingError();
                if (error != 0) {
                    RelaySession.LOG.info("{} sends with one sendmmsg per socket: its io_uring could not open (errno {}{})",
                            Thread.currentThread().getName(), -error, -error == UdpNative.EPERM
                                    ? ": the kernel.io_uring_disabled sysctl or a seccomp profile forbids it" : "");
                }
            }
            epoll.initialize();
            if (receiveThroughRing) {
                int doorbell = burst.receiveThroughRing();
                if (doorbell < 0) {
                    RelaySession.LOG.info("{} reads each ready socket with recvmmsg: its receive ring could not open (errno {})",
                            Thread.currentThread().getName(), -doorbell);
                } else {
                    ringDoorbell = doorbell;
                }
            }
        }

        @Override
        public int run(IoHandlerContext context) {
            if (ringDoorbell >= 0) {
                return runOnRing(context);
            }
            // with tasks waiting (canBlock false) the loop reads without waiting anyway, and runs them next
            boolean paced = window.pacing() && context.canBlock();
            int handled;
            long readBegan;
            if (paced) {
                readBegan = sleepUntil(window.nextReadAt());
                readNow.context = context;
                handled = epoll.run(readNow);
            } else {
                handled = epoll.run(context);
                // it began inside epoll's wait: its end stands for it (BatchWindow.readEnded)
                readBegan = System.nanoTime();
            }
            window.readEnded(readBegan, burst.packetsThisWakeUp(), paced);
            burst.process();
            burst.wakeUpDone();
            return handled;
        }

        /**
         * A wake-up of a loop that receives through its ring: the same window, but where the loop would
         * wait in epoll it waits on the ring (for a datagram, a task from another thread or the next
         * scheduled one), and every read takes what the ring has. epoll is still run, without waiting,
         * for what Netty keeps there.
         */
        private int runOnRing(IoHandlerContext context) {
            boolean paced = window.pacing() && context.canBlock();
            long readBegan;
            if (paced) {
                readBegan = sleepUntil(window.nextReadAt());
            } else {
                if (context.canBlock()) {
                    UdpNative.waitOnRing(Math.max(0, context.delayNanos(System.nanoTime())));
                }
                readBegan = System.nanoTime();
            }
            burst.readRing();
            readNow.context = context;
            int handled = epoll.run(readNow);
            window.readEnded(readBegan, burst.packetsThisWakeUp(), paced);
            burst.process();
            burst.wakeUpDone();
            return handled;
        }

        /**
         * Parked, not in epoll: the packets that come meanwhile wake nobody. A task submitted meanwhile
         * waits for the end of the window (at most about a window: signalling's, never a packet's).
         * Returns when it woke (System.nanoTime), at or after the deadline: when the read begins.
         */
        private static long sleepUntil(long deadline) {
            long now;
            while (deadline - (now = System.nanoTime()) > 0) {
                LockSupport.parkNanos(deadline - now);
            }
            return now;
        }

        @Override
        public void prepareToDestroy() {
            if (burst.readsThroughRing()) {
                for (RelaySocket socket : burst.ringSockets()) {
                    socket.close();
                }
            }
            epoll.prepareToDestroy();
        }

        @Override
        public void destroy() {
            epoll.destroy();
            synchronized (this) {
                // no wake-up may write to the eventfd once it is closed: its number may be another file's then
                ringDoorbell = -1;
            }
            burst.closeRing();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return epoll.register(handle);
        }

        @Override
        public void wakeup() {
            if (ringDoorbell >= 0) {
                synchronized (this) {
                    if (ringDoorbell >= 0) {
                        // every time: a test of whether the loop waits would race with the loop starting to wait
                        Native.eventFdWrite(ringDoorbell, 1);
                    }
                }
            }
            epoll.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return epoll.isCompatible(handleType);
        }
    }

    /** The loop's context, except that the read takes what is ready without waiting (one per loop, reused). */
    private static final class ReadNow implements IoHandlerContext {
        IoHandlerContext context;

        @Override
        public boolean canBlock() {
            return false;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return context.delayNanos(currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return context.deadlineNanos();
        }

        @Override
        public void reportActiveIoTime(long activeNanos) {
            context.reportActiveIoTime(activeNanos);
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            return context.shouldReportActiveIoTime();
        }
    }
}
