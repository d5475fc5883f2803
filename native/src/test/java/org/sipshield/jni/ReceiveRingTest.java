package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The receive ring on real loopback sockets, plain Java sockets as the peers. A ring is its thread's,
 * so every test runs on one thread of its own (which opens and closes its ring).
 */
class ReceiveRingTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final int SLOT = 256;
    private static final int R = UdpNative.RING_RECORD_INTS;

    private ExecutorService thread;
    private final List<Integer> fds = new ArrayList<>();

    @BeforeEach
    void oneThread() {
        thread = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void closeAll() throws Exception {
        thread.submit(() -> {
            UdpNative.closeReceiveRing();
            for (int fd : fds) {
                UdpNative.close(fd);
            }
        }).get();
        thread.shutdown();
        assertTrue(thread.awaitTermination(10, TimeUnit.SECONDS));
    }

    private <T> T onRingThread(java.util.concurrent.Callable<T> task) throws Exception {
        return thread.submit(task).get(60, TimeUnit.SECONDS);
    }

    private int openLoopback() {
        int fd = UdpNative.open(LOOPBACK, 0, 1 << 20);
        assertTrue(fd >= 0, "open: " + fd);
        fds.add(fd);
        return fd;
    }

    /** Takes until {@code expected} records arrived (loopback delivery is not instant), bounded. */
    private static int takeAll(int[] records, int expected) throws InterruptedException {
        int got = 0;
        for (int tries = 0; tries < 500 && got < expected; tries++) {
            int[] part = new int[UdpNative.MAX_DATAGRAMS * R];
            int n = UdpNative.takeFromRing(part, Math.min(UdpNative.MAX_DATAGRAMS, expected - got));
            assertTrue(n >= 0, "take: " + n);
            System.arraycopy(part, 0, records, got * R, n * R);
            got += n;
            if (got < expected) {
                Thread.sleep(2);
            }
        }
        return got;
    }

    @Test
    void datagramsOfManySocketsArriveByteIdenticalWithSourceAndSocket() throws Exception {
        try (DatagramSocket p1 = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket p2 = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            onRingThread(() -> {
                int[] fdOrError = new int[1];
                ByteBuffer slots = UdpNative.openReceiveRing(SLOT, 16, fdOrError);
                assertNotNull(slots, "open: " + fdOrError[0]);
                assertEquals(16 * SLOT, slots.capacity());
                int a = openLoopback();
                int b = openLoopback();
                assertEquals(0, UdpNative.listenOnRing(a, 7));
                assertEquals(0, UdpNative.listenOnRing(b, 8));
                byte[][] sent = {Datagrams.payload(172, 1), Datagrams.payload(12, 2), Datagrams.payload(SLOT - UdpNative.RING_PAYLOAD_AT, 3),
                    Datagrams.payload(SLOT - UdpNative.RING_PAYLOAD_AT + 1, 4)};
                p1.send(new DatagramPacket(sent[0], sent[0].length, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        UdpNative.localPort(a))));
                p2.send(new DatagramPacket(sent[1], sent[1].length, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        UdpNative.localPort(b))));
                p1.send(new DatagramPacket(sent[2], sent[2].length, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        UdpNative.localPort(b))));
                p2.send(new DatagramPacket(sent[3], sent[3].length, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        UdpNative.localPort(a))));
                int[] records = new int[16 * R];
                assertEquals(4, takeAll(records, 4));
                int[] socketOf = {7, 8, 8, 7};
                DatagramSocket[] from = {p1, p2, p1, p2};
                boolean[] seen = new boolean[4];
                int[] given = new int[4];
                for (int k = 0; k < 4; k++) {
                    int r = k * R;
                    int i = which(records, r, slots, sent);
                    assertTrue(i >= 0 && !seen[i], "record " + k + " matches no datagram sent, or one twice");
                    seen[i] = true;
                    assertEquals(socketOf[i], records[r]);
                    assertEquals(0, records[r + 3], "still listening");
                    assertEquals(from[i].getLocalPort(), records[r + 4]);
                    assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), from[i].getLocalPort()),
                            UdpNative.unpack(records, r + 4));
                    given[k] = records[r + 1];
                }
                // a slot goes back once: the second time it is not the caller's
                assertEquals(4, UdpNative.giveBackToRing(given, 4));
                assertEquals(0, UdpNative.giveBackToRing(given, 4));
                assertEquals(0, UdpNative.takeFromRing(records, 16), "nothing else arrived");
                return null;
            });
        }
    }

    /** Which datagram the record carries (its bytes in its slot), -1 for none; the one cut short has TRUNCATED. */
    private static int which(int[] records, int r, ByteBuffer slots, byte[][] sent) {
        int slot = records[r + 1];
        assertTrue(slot >= 0 && slot < 16, "slot " + slot);
        if (records[r + 2] == UdpNative.TRUNCATED) {
            return 3;
        }
        byte[] got = new byte[records[r + 2]];
        slots.get(slot * SLOT + UdpNative.RING_PAYLOAD_AT, got);
        for (int i = 0; i < 3; i++) {
            if (java.util.Arrays.equals(sent[i], got)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void whenEverySlotIsHeldTheSocketStopsAndListensAgainWithNothingLostOnceSlotsComeBack() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            onRingThread(() -> {
                int[] fdOrError = new int[1];
                ByteBuffer slots = UdpNative.openReceiveRing(SLOT, 4, fdOrError);
                assertNotNull(slots, "open: " + fdOrError[0]);
                int fd = openLoopback();
                assertEquals(0, UdpNative.listenOnRing(fd, 0));
                InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), UdpNative.localPort(fd));
                int total = 10;
                for (int i = 0; i < total; i++) {
                    byte[] p = Datagrams.payload(20, i);
                    peer.send(new DatagramPacket(p, p.length, to));
                }
                int[] records = new int[UdpNative.MAX_DATAGRAMS * R];
                int[] held = new int[4];
                int datagrams = 0;
                int stops = 0;
                for (int tries = 0; tries < 500 && datagrams < total; tries++) {
                    int n = UdpNative.takeFromRing(records, UdpNative.MAX_DATAGRAMS);
                    assertTrue(n >= 0, "take: " + n);
                    int h = 0;
                    for (int k = 0; k < n; k++) {
                        int r = k * R;
                        if (records[r + 1] >= 0) {
                            byte[] got = new byte[records[r + 2]];
                            slots.get(records[r + 1] * SLOT + UdpNative.RING_PAYLOAD_AT, got);
                            // datagrams of one socket come in the order they were sent
                            assertArrayEquals(Datagrams.payload(20, datagrams), got);
                            datagrams++;
                            held[h++] = records[r + 1];
                        }
                        if (records[r + 3] != 0) {
                            assertEquals(UdpNative.ENOBUFS, records[r + 3]);
                            stops++;
                        }
                    }
                    assertEquals(h, UdpNative.giveBackToRing(held, h));
                    for (int k = 0; k < n; k++) {
                        if (records[k * R + 3] != 0) {
                            assertEquals(0, UdpNative.listenOnRing(fd, 0));
                        }
                    }
                    if (n == 0) {
                        Thread.sleep(2);
                    }
                }
                assertEquals(total, datagrams);
                assertTrue(stops >= 1, "4 slots for 10 datagrams: the socket ran out at least once");
                return null;
            });
        }
    }

    @Test
    void aForgottenSocketIsLetGoSoItsPortCanBeBoundAgain() throws Exception {
        onRingThread(() -> {
            int[] fdOrError = new int[1];
            assertNotNull(UdpNative.openReceiveRing(SLOT, 4, fdOrError), "open: " + fdOrError[0]);
            int fd = UdpNative.open(LOOPBACK, 0, 0);
            assertTrue(fd >= 0);
            int port = UdpNative.localPort(fd);
            assertEquals(0, UdpNative.listenOnRing(fd, 3));
            assertEquals(0, UdpNative.forgetOnRing(3));
            assertEquals(0, UdpNative.close(fd));
            int again = UdpNative.open(LOOPBACK, port, 0);
            assertTrue(again >= 0, "the port is still held: " + again);
            fds.add(again);
            int[] records = new int[4 * R];
            assertEquals(1, UdpNative.takeFromRing(records, 4));
            assertEquals(3, records[0]);
            assertEquals(-1, records[1]);
            assertEquals(UdpNative.ECANCELED, records[3]);
            return null;
        });
    }

    @Test
    void aThreadHasOneRingAndNoRingMeansNoCalls() throws Exception {
        onRingThread(() -> {
            int[] records = new int[R];
            assertEquals(-9, UdpNative.takeFromRing(records, 1), "EBADF before the ring opens");
            assertEquals(-9, UdpNative.listenOnRing(0, 0));
            int[] fdOrError = new int[1];
            assertNull(UdpNative.openReceiveRing(SLOT, 3, fdOrError), "slots: a power of two");
            assertEquals(-UdpNative.EINVAL, fdOrError[0]);
            assertNull(UdpNative.openReceiveRing(100, 4, fdOrError), "a slot: a multiple of 64");
            assertNotNull(UdpNative.openReceiveRing(SLOT, 4, fdOrError));
            assertNull(UdpNative.openReceiveRing(SLOT, 4, fdOrError));
            assertEquals(-17, fdOrError[0], "EEXIST");
            assertEquals(-UdpNative.EINVAL, UdpNative.listenOnRing(-1, 0));
            assertEquals(-UdpNative.EINVAL, UdpNative.takeFromRing(records, 0));
            assertEquals(0, UdpNative.giveBackToRing(new int[] {-1, 4, 1 << 20, 0}, 4), "none of these is held");
            return null;
        });
    }
}
