package gov.nist.javax.sip.stack;

import java.net.DatagramSocket;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;

/**
 * sipshield's window on jain-sip's UDP receive queues: each UDP listener's reading thread puts
 * every datagram on an unbounded queue for the worker threads, and neither the queue nor the
 * socket is public, hence this class in jain-sip's package (checked by the compiler against the
 * jain-sip release we build with, where reflection would fail only at run time).
 */
public final class UdpReceiveQueues {
    private UdpReceiveQueues() {}

    /** Tells {@code each} every UDP listener's socket and how many datagrams wait on its queue. */
    public static void forEach(SIPTransactionStack stack, BiConsumer<DatagramSocket, IntSupplier> each) {
        for (MessageProcessor processor : stack.getMessageProcessors()) {
            if (processor instanceof UDPMessageProcessor udp) {
                each.accept(udp.sock, udp.messageQueue::size);
            }
        }
    }
}
