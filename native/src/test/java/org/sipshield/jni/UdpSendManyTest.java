package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link UdpNative#sendMany}, the relay's send of a whole burst, each datagram from its own socket:
 * through this thread's io_uring and, the same assertions, through sendmmsg per socket. Real
 * loopback sockets, plain Java sockets as the peers.
 */
class UdpSendManyTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final int SLOT = 256;
    private static final int R = UdpNative.SENT_MANY_INTS;

    private final List<Integer> opened = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        for (int fd : opened) {
            assertEquals(0, UdpNative.close(fd));
        }
    }

    private int open() {
        int fd = UdpNative.open(LOOPBACK, 0, 1 << 16);
        assertTrue(fd >= 0, "open: " + fd);
        opened.add(fd);
        return fd;
    }

    private static void record(int[] records, int k, int fd, int offset, int length, InetSocketAddress to) {
        records[k * R] = fd;
        records[k * R + 1] = offset;
        records[k * R + 2] = length;
        UdpNative.pack(to, records, k * R + 3);
    }

    /**
     * Whether io_uring may be forbidden to this process: by the kernel (kernel.io_uring_disabled = 2)
     * or by a seccomp filter (a container's profile; Docker's default forbids io_uring_setup).
     */
    private static boolean ioUringMayBeForbidden() throws IOException {
        Path sysctl = Path.of("/proc/sys/kernel/io_uring_disabled");
        boolean disabled = Files.exists(sysctl) && Files.readString(sysctl).trim().equals("2");
        boolean filtered = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(line -> line.startsWith("Seccomp:") && line.endsWith("2"));
        return disabled || filtered;
    }

    /** The ring path must really be the ring: where nothing forbids io_uring, this thread's ring opens. */
    @Test
    void thisThreadsRingOpensWhereTheKernelAllowsIt() throws IOException {
        int error = UdpNative.sendRingError();
        if (error != 0 && ioUringMayBeForbidden()) {
            assertEquals(-UdpNative.EPERM, error, "io_uring forbidden by sysctl or seccomp: its setup must say EPERM");
        } else {
            assertEquals(0, error, "nothing forbids io_uring here, yet the send ring did not open: the ring path would go untested");
        }
        assertEquals(error, UdpNative.sendRingError(), "one try per thread, the same answer after");
    }

    @ParameterizedTest(name = "through the ring: {0}")
    @ValueSource(booleans = {true, false})
    void aBurstForManySocketsLeavesEachFromItsOwnSocketInItsOrder(boolean throughRing) throws Exception {
        int sockets = 16;
        int[] fds = new int[sockets];
        int[] ports = new int[sockets];
        for (int s = 0; s < sockets; s++) {
            fds[s] = open();
            ports[s] = UdpNative.localPort(fds[s]);
        }
        ByteBuffer memory = ByteBuffer.allocateDirect(UdpNative.MAX_DATAGRAMS * SLOT);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            peer.setSoTimeout(5000);
            peer.setReceiveBufferSize(1 << 20);
            InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
            int count = UdpNative.MAX_DATAGRAMS;
            int[] records = new int[count * R];
            // interleaved as a burst is: socket k % 16, each socket's datagrams numbered in order in their first octet
            int[] nextOfSocket = new int[sockets];
            for (int k = 0; k < count; k++) {
                int s = k % sockets;
                byte[] p = Datagrams.payload(20 + k, k);
                p[0] = (byte) nextOfSocket[s]++;
                memory.put(k * SLOT, p);
                record(records, k, fds[s], k * SLOT, p.length, to);
            }
            int[] results = new int[count];
            assertEquals(count, UdpNative.sendMany(memory, records, count, results, throughRing));
            for (int k = 0; k < count; k++) {
                assertEquals(20 + k, results[k], "record " + k);
            }
            Map<Integer, Integer> seenOfPort = new HashMap<>();
            for (int k = 0; k < count; k++) {
                DatagramPacket d = new DatagramPacket(new byte[SLOT], SLOT);
                peer.receive(d);
                int s = Arrays.stream(ports).boxed().toList().indexOf(d.getPort());
                assertTrue(s >= 0, "from port " + d.getPort() + ", none of ours");
                int n = seenOfPort.merge(s, 1, Integer::sum) - 1;
                assertEquals(n, d.getData()[0], "socket " + s + "'s datagrams in their order");
                int sentAs = n * sockets + s;
                byte[] expected = Datagrams.payload(20 + sentAs, sentAs);
                expected[0] = (byte) n;
                assertArrayEquals(expected, Arrays.copyOf(d.getData(), d.getLength()));
            }
        }
    }

    @ParameterizedTest(name = "through the ring: {0}")
    @ValueSource(booleans = {true, false})
    void eachBadRecordIsAnsweredAndTheOthersStillGo(boolean throughRing) throws Exception {
        int fd = open();
        int noSuchSocket = Integer.MAX_VALUE; // above any open-file limit (a closed number could be reused at once)
        ByteBuffer memory = ByteBuffer.allocateDirect(SLOT);
        memory.put(5, Datagrams.payload(20, 9));
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            peer.setSoTimeout(5000);
            InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
            int[] records = new int[6 * R];
            record(records, 0, fd, SLOT - 10, 11, to);                                            // past the memory
            record(records, 1, fd, 5, 20, new InetSocketAddress(InetAddress.getByName("::1"), 5000)); // IPv6 from IPv4
            record(records, 2, noSuchSocket, 5, 20, to);
            record(records, 3, fd, 5, 20, to);
            record(records, 4, -1, 5, 20, to);                                                    // impossible socket
            record(records, 5, fd, 5, 20, to);
            records[4 * R + 3] = 0;                                                               // and an impossible port
            int[] results = {7, 7, 7, 7, 7, 7, 7};
            assertEquals(2, UdpNative.sendMany(memory, records, 6, results, throughRing));
            assertEquals(-UdpNative.EINVAL, results[0]);
            assertTrue(results[1] < 0, "IPv6 destination from an IPv4 socket: " + results[1]);
            assertEquals(-9, results[2], "no such socket: EBADF");
            assertEquals(20, results[3]);
            assertEquals(-UdpNative.EINVAL, results[4]);
            assertEquals(20, results[5]);
            assertEquals(7, results[6], "nothing written past the records");
            for (int i = 0; i < 2; i++) {
                DatagramPacket d = new DatagramPacket(new byte[SLOT], SLOT);
                peer.receive(d);
                assertArrayEquals(Datagrams.payload(20, 9), Arrays.copyOf(d.getData(), d.getLength()));
            }
        }
    }

    @ParameterizedTest(name = "through the ring: {0}")
    @ValueSource(booleans = {true, false})
    void callerMistakesGetEinvalAndSendNothing(boolean throughRing) {
        int fd = open();
        ByteBuffer direct = ByteBuffer.allocateDirect(SLOT);
        int[] one = new int[R];
        record(one, 0, fd, 0, 10, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
        int[] results = {7};
        int inval = -UdpNative.EINVAL;
        assertEquals(inval, UdpNative.sendMany(ByteBuffer.allocate(SLOT), one, 1, results, throughRing), "a heap buffer");
        assertEquals(inval, UdpNative.sendMany(direct, new int[R - 1], 1, results, throughRing), "a short record");
        assertEquals(inval, UdpNative.sendMany(direct, one, 1, new int[0], throughRing), "no room for the result");
        assertEquals(inval, UdpNative.sendMany(direct, one, -1, results, throughRing));
        assertEquals(inval, UdpNative.sendMany(direct, new int[(UdpNative.MAX_DATAGRAMS + 1) * R], UdpNative.MAX_DATAGRAMS + 1,
                new int[UdpNative.MAX_DATAGRAMS + 1], throughRing));
        assertEquals(inval, UdpNative.sendMany(null, one, 1, results, throughRing));
        assertEquals(7, results[0], "a refused call writes no result");
        assertEquals(0, UdpNative.sendMany(direct, one, 0, results, throughRing));
    }

    /** A ring is its thread's: it closes when the thread ends, so threads that come and go leave no descriptor behind. */
    @Test
    void aThreadsRingClosesWhenTheThreadEnds() throws Exception {
        long before = ringDescriptors();
        AtomicInteger error = new AtomicInteger(1);
        long[] during = new long[1];
        Thread t = new Thread(() -> {
            error.set(UdpNative.sendRingError());
            during[0] = ringDescriptors();
        });
        t.start();
        t.join();
        if (error.get() == 0) {
            assertEquals(before + 1, during[0], "the thread's ring is one descriptor");
        }
        // join returns once the Java thread is done; its native thread ends (and runs the ring's destructor) a moment later
        for (int tries = 0; tries < 500 && ringDescriptors() != before; tries++) {
            Thread.sleep(10);
        }
        assertEquals(before, ringDescriptors(), "the ring closed with its thread");
    }

    private static long ringDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("io_uring");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
