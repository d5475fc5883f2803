package org.sipshield.media;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.Map;

/**
 * Netty's epoll I/O handler with one step added to every wake-up: once epoll's ready sockets have
 * all been read into the loop's {@link PacketBurst}, the burst is re-keyed and sent. So the packets
 * of one wake-up, from every socket of every session on the loop, cross into the SRTP core together,
 * without a task queued per burst (a queued task would be an allocation on the packet path).
 */
final class BurstingIoHandlerFactory implements IoHandlerFactory {
    private final IoHandlerFactory epoll;
    private final Map<ThreadAwareExecutor, PacketBurst> bursts;

    /** @param bursts filled with each new loop's burst, keyed by the loop */
    BurstingIoHandlerFactory(IoHandlerFactory epoll, Map<ThreadAwareExecutor, PacketBurst> bursts) {
        this.epoll = epoll;
        this.bursts = bursts;
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor loop) {
        PacketBurst burst = new PacketBurst();
        bursts.put(loop, burst);
        return new Handler(epoll.newHandler(loop), burst);
    }

    private static final class Handler implements IoHandler {
        private final IoHandler epoll;
        private final PacketBurst burst;

        Handler(IoHandler epoll, PacketBurst burst) {
            this.epoll = epoll;
            this.burst = burst;
        }

        @Override
        public void initialize() {
            epoll.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            int handled = epoll.run(context);
            burst.process();
            burst.wakeUpDone();
            return handled;
        }

        @Override
        public void prepareToDestroy() {
            epoll.prepareToDestroy();
        }

        @Override
        public void destroy() {
            epoll.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return epoll.register(handle);
        }

        @Override
        public void wakeup() {
            epoll.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return epoll.isCompatible(handleType);
        }
    }
}
