package org.sipshield.media.bench;

import java.net.InetSocketAddress;
import org.sipshield.srtp.SrtpSession;

/** A relay the load generator drives: sets up re-keyed SRTP streams and says how much CPU it used. */
interface RelayUnderTest extends AutoCloseable {
    String name();

    /**
     * Sets up stream {@code index}: leg A's phone sends from {@code sender}, leg B's phone receives
     * on {@code receiver}. Returns where to send and the session that protects leg A's packets.
     */
    Stream open(int index, InetSocketAddress sender, InetSocketAddress receiver) throws Exception;

    /** Tears every stream down. */
    void closeStreams() throws Exception;

    /** The relay's process. */
    long pid();

    /** CPU seconds the relay's process has used so far (all its threads). */
    double cpuSeconds() throws Exception;

    /** Heap bytes the relay's threads have allocated so far, or -1 when it is not a JVM of ours. */
    default long allocatedBytes() throws Exception {
        return -1;
    }

    @Override
    void close() throws Exception;

    record Stream(int index, InetSocketAddress relay, SrtpSession protectA) {}
}
