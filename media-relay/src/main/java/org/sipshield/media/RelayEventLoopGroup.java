package org.sipshield.media;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import io.netty.util.concurrent.ThreadAwareExecutor;
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
 * never one per packet. Each task taken moves the loop's {@link LoopProgress}.
 */
final class RelayEventLoopGroup extends MultiThreadIoEventLoopGroup {
    RelayEventLoopGroup(int loops, IoHandlerFactory ioHandlerFactory) {
        super(loops, new DefaultThreadFactory(MediaRelay.EVENT_LOOP_THREADS), ioHandlerFactory);
    }

    @Override
    protected IoEventLoop newChild(Executor executor, IoHandlerFactory ioHandlerFactory, Object... args) {
        return new RelayEventLoop(this, executor, ioHandlerFactory);
    }

    /** The progress of {@code loop}, one of these loops: what its real-time watchdog reads. */
    static LoopProgress progressOf(ThreadAwareExecutor loop) {
        return ((RelayEventLoop) loop).progress;
    }

    private static final class RelayEventLoop extends SingleThreadIoEventLoop {
        private final LoopProgress progress;

        RelayEventLoop(RelayEventLoopGroup group, Executor executor, IoHandlerFactory ioHandlerFactory) {
            this(group, executor, ioHandlerFactory, new LoopProgress());
        }

        private RelayEventLoop(RelayEventLoopGroup group, Executor executor, IoHandlerFactory ioHandlerFactory, LoopProgress progress) {
            super(group, executor, ioHandlerFactory, new TaskQueue(progress), new TaskQueue(progress), RejectedExecutionHandlers.reject());
            this.progress = progress;
        }
    }

    /**
     * A loop takes its tasks from here, and each task taken moves the loop's progress: a loop running
     * signalling's tasks back to back is not stuck, however long the run; one inside a single task that
     * does not end is. Polled by the loop only.
     */
    private static final class TaskQueue extends ConcurrentLinkedQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private final transient LoopProgress progress;

        TaskQueue(LoopProgress progress) {
            this.progress = progress;
        }

        @Override
        public Runnable poll() {
            Runnable task = super.poll();
            if (task != null) {
                progress.progressed();
            }
            return task;
        }
    }
}
