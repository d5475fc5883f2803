package org.sipshield.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batched UDP functions on real loopback sockets, against plain Java sockets as peers. */
class UdpNativeTest {
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final int SLOT = 256;

    private int fd = -1;

    @AfterEach
    void closeSocket() {
        if (fd >= 0) {
            assertEquals(0, UdpNative.close(fd));
        }
    }

    private int openLoopback() {
        fd = UdpNative.open(LOOPBACK, 0, 1 << 16);
        assertTrue(fd >= 0, "open: " + fd);
        return UdpNative.localPort(fd);
    }

    /** Reads until {@code expected} datagrams arrived (loopback delivery is not instant), bounded. */
    private int receiveAll(ByteBuffer memory, int max, int[] received, int expected) throws InterruptedException {
        int got = 0;
        for (int tries = 0; tries < 500 && got < expected; tries++) {
            int[] part = new int[max * UdpNative.RECEIVED_INTS];
            int n = UdpNative.receive(fd, memory, got * SLOT, SLOT, max - got, part);
            assertTrue(n >= 0, "receive: " + n);
            System.arraycopy(part, 0, received, got * UdpNative.RECEIVED_INTS, n * UdpNative.RECEIVED_INTS);
            got += n;
            if (got < expected) {
                Thread.sleep(2);
            }
        }
        return got;
    }

    @Test
    void aBatchArrivesByteIdenticalInItsSlotsWithEachSource() throws Exception {
        int port = openLoopback();
        ByteBuffer memory = ByteBuffer.allocateDirect(8 * SLOT);
        try (DatagramSocket p1 = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket p2 = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress relay = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            byte[][] sent = {Datagrams.payload(172, 1), Datagrams.payload(12, 2), Datagrams.payload(SLOT, 3)};
            p1.send(new DatagramPacket(sent[0], sent[0].length, relay));
            p2.send(new DatagramPacket(sent[1], sent[1].length, relay));
            p1.send(new DatagramPacket(sent[2], sent[2].length, relay));
            int[] received = new int[8 * UdpNative.RECEIVED_INTS];
            // a partial batch: room for 8, three waiting
            assertEquals(3, receiveAll(memory, 8, received, 3));
            DatagramSocket[] from = {p1, p2, p1};
            for (int i = 0; i < 3; i++) {
                int r = i * UdpNative.RECEIVED_INTS;
                assertEquals(sent[i].length, received[r]);
                byte[] got = new byte[received[r]];
                memory.get(i * SLOT, got);
                assertArrayEquals(sent[i], got);
                assertEquals(from[i].getLocalSocketAddress(), UdpNative.unpack(received, r + 1));
                assertEquals(0xffff, received[r + 4], "IPv4-mapped");
                assertEquals(0x7f000001, received[r + 5]);
            }
            // nothing left: EAGAIN is 0, not an error
            assertEquals(0, UdpNative.receive(fd, memory, 0, SLOT, 8, received));
        }
    }

    @Test
    void aDatagramLongerThanItsSlotIsFlaggedTruncated() throws Exception {
        int port = openLoopback();
        ByteBuffer memory = ByteBuffer.allocateDirect(4 * SLOT);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress relay = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            byte[] big = Datagrams.payload(SLOT + 1, 4);
            byte[] small = Datagrams.payload(40, 5);
            peer.send(new DatagramPacket(big, big.length, relay));
            peer.send(new DatagramPacket(small, small.length, relay));
            int[] received = new int[4 * UdpNative.RECEIVED_INTS];
            assertEquals(2, receiveAll(memory, 4, received, 2));
            assertEquals(UdpNative.TRUNCATED, received[0]);
            assertEquals(40, received[UdpNative.RECEIVED_INTS]);
            byte[] got = new byte[40];
            memory.get(SLOT, got);
            assertArrayEquals(small, got, "the datagram after a cut one is whole, in its own slot");
        }
    }

    @Test
    void aBatchGoesOutToEachDestinationFromTheMemory() throws Exception {
        openLoopback();
        ByteBuffer memory = ByteBuffer.allocateDirect(4 * SLOT);
        try (DatagramSocket p1 = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket p2 = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            p1.setSoTimeout(5000);
            p2.setSoTimeout(5000);
            byte[][] out = {Datagrams.payload(172, 6), Datagrams.payload(200, 7), Datagrams.payload(1, 8)};
            InetSocketAddress[] to = {(InetSocketAddress) p1.getLocalSocketAddress(), (InetSocketAddress) p2.getLocalSocketAddress(),
                (InetSocketAddress) p1.getLocalSocketAddress()};
            int[] records = new int[3 * UdpNative.SENT_INTS];
            for (int i = 0; i < 3; i++) {
                memory.put(i * SLOT + 3, out[i]);
                records[i * UdpNative.SENT_INTS] = i * SLOT + 3;
                records[i * UdpNative.SENT_INTS + 1] = out[i].length;
                UdpNative.pack(to[i], records, i * UdpNative.SENT_INTS + 2);
            }
            assertEquals(3, UdpNative.send(fd, memory, records, 3));
            DatagramSocket[] at = {p1, p2, p1};
            for (int i = 0; i < 3; i++) {
                DatagramPacket d = new DatagramPacket(new byte[SLOT], SLOT);
                at[i].receive(d);
                assertArrayEquals(out[i], Arrays.copyOf(d.getData(), d.getLength()));
                assertEquals(UdpNative.localPort(fd), d.getPort());
            }
        }
    }

    @Test
    void badRecordsAreSkippedAndTheOthersStillGo() throws Exception {
        openLoopback();
        ByteBuffer memory = ByteBuffer.allocateDirect(SLOT);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            peer.setSoTimeout(5000);
            int[] records = new int[3 * UdpNative.SENT_INTS];
            UdpNative.pack((InetSocketAddress) peer.getLocalSocketAddress(), records, 2);
            records[0] = SLOT - 10;
            records[1] = 11;  // past the memory
            UdpNative.pack(new InetSocketAddress(InetAddress.getByName("::1"), 5000), records, UdpNative.SENT_INTS + 2);
            records[UdpNative.SENT_INTS + 1] = 10;  // IPv6 from an IPv4 socket
            UdpNative.pack((InetSocketAddress) peer.getLocalSocketAddress(), records, 2 * UdpNative.SENT_INTS + 2);
            records[2 * UdpNative.SENT_INTS] = 5;
            records[2 * UdpNative.SENT_INTS + 1] = 20;
            memory.put(5, Datagrams.payload(20, 9));
            assertEquals(1, UdpNative.send(fd, memory, records, 3));
            DatagramPacket d = new DatagramPacket(new byte[SLOT], SLOT);
            peer.receive(d);
            assertArrayEquals(Datagrams.payload(20, 9), Arrays.copyOf(d.getData(), d.getLength()));
        }
    }

    @Test
    void ipv6LoopbackWorksTheSameWay() throws Exception {
        byte[] v6 = InetAddress.getByName("::1").getAddress();
        fd = UdpNative.open(v6, 0, 0);
        assertTrue(fd >= 0, "open [::1]: " + fd);
        ByteBuffer memory = ByteBuffer.allocateDirect(2 * SLOT);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            peer.setSoTimeout(5000);
            byte[] sent = Datagrams.payload(100, 10);
            peer.send(new DatagramPacket(sent, sent.length, new InetSocketAddress(InetAddress.getByName("::1"), UdpNative.localPort(fd))));
            int[] received = new int[2 * UdpNative.RECEIVED_INTS];
            assertEquals(1, receiveAll(memory, 2, received, 1));
            assertEquals(100, received[0]);
            InetSocketAddress source = UdpNative.unpack(received, 1);
            assertEquals(peer.getLocalSocketAddress(), source);
            // and back to where it came from, from the same memory
            int[] record = new int[UdpNative.SENT_INTS];
            record[1] = 100;
            System.arraycopy(received, 1, record, 2, UdpNative.ADDRESS_INTS);
            assertEquals(1, UdpNative.send(fd, memory, record, 1));
            DatagramPacket d = new DatagramPacket(new byte[SLOT], SLOT);
            peer.receive(d);
            assertArrayEquals(sent, Arrays.copyOf(d.getData(), d.getLength()));
        }
    }

    @Test
    void callerMistakesGetAnErrnoNeverACrash() {
        int port = openLoopback();
        ByteBuffer direct = ByteBuffer.allocateDirect(SLOT);
        int[] received = new int[4 * UdpNative.RECEIVED_INTS];
        int inval = -UdpNative.EINVAL;
        assertEquals(inval, UdpNative.receive(fd, ByteBuffer.allocate(SLOT), 0, SLOT, 1, received));
        assertEquals(inval, UdpNative.receive(fd, direct, 0, SLOT, 2, received), "two slots do not fit");
        assertEquals(inval, UdpNative.receive(fd, direct, 1, SLOT, 1, received));
        assertEquals(inval, UdpNative.receive(fd, direct, 0, SLOT, 1, new int[5]));
        assertEquals(inval, UdpNative.receive(fd, direct, 0, SLOT, 0, received));
        assertEquals(inval, UdpNative.receive(fd, direct, 0, 1, UdpNative.MAX_DATAGRAMS + 1, new int[1000]));
        assertEquals(inval, UdpNative.send(fd, direct, new int[6], 1));
        assertEquals(inval, UdpNative.send(fd, null, new int[7], 1));
        assertEquals(inval, UdpNative.open(new byte[5], 0, 0));
        assertEquals(inval, UdpNative.open(LOOPBACK, 70000, 0));
        assertEquals(-UdpNative.EADDRINUSE, UdpNative.open(LOOPBACK, port, 0));
        assertTrue(UdpNative.receive(-1, direct, 0, SLOT, 1, received) < 0);
    }
}
