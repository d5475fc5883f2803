package org.sipshield.media;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * The relay's event loops: Netty's, with task queues a real-time loop cannot wait on forever.
 *
 * <p>Signalling hands a loop its work (a session to open, a leg to configure, a call to close) as
 * tasks. Netty's own task queue is a multi-producer array queue whose {@code poll} spins when a
 * producer has claimed a slot and not yet written it. A loop under SCHED_FIFO
 * (media.realtimePriority) that preempts such a producer on the CPU they share spins at real-time
 * priority, and the producer, at normal priority, does not run again until the kernel's real-time
 * throttling stops the loop: every packet of the loop's calls a second late. The benchmark saw
 * exactly that once in six runs, at 500 streams while calls were being set up (bench/media-results.md,
 * 2026-12-04). A {@link ConcurrentLinkedQueue} publishes a task with one compare-and-set, so a
 * {@code poll} never waits for a producer; it allocates a node per task, and tasks are signalling's,
 * never one per packet.
 */
final class RelayEventLoopGroup extends MultiThreadIoEventLoopGroup {
    RelayEventLoopGroup(int loops, IoHandlerFactory ioHandlerFactory) {
        super(loops, new DefaultThreadFactory(MediaRelay.EVENT_LOOP_THREADS), ioHandlerFactory);
    }

    @Override
    protected IoEventLoop newChild(Executor executor, IoHandlerFactory ioHandlerFactory, Object... args) {
        return new RelayEventLoop(this, executor, ioHandlerFactory);
    }

    private static final class RelayEventLoop extends SingleThreadIoEventLoop {
        RelayEventLoop(RelayEventLoopGroup group, Executor executor, IoHandlerFactory ioHandlerFactory) {
            super(group, executor, ioHandlerFactory, new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>(),
                    RejectedExecutionHandlers.reject());
        }
    }
}
