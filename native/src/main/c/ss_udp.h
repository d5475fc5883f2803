/*
 * The media relay's batched UDP I/O (recvmmsg / sendmmsg over caller-owned memory) as plain C, so
 * the checks on a caller's slot layout are the same code whether the JNI glue (jni_udp.c) or the
 * libFuzzer target (src/test/c/fuzz_udp.c, random layouts on real loopback sockets) calls them.
 *
 * Addresses are a port and four big-endian 32-bit words of a 16-octet IPv6 address; an IPv4
 * address is its IPv4-mapped form (::ffff:a.b.c.d). Nothing here allocates.
 */
#ifndef SIPSHIELD_SS_UDP_H
#define SIPSHIELD_SS_UDP_H

#include <stddef.h>
#include <stdint.h>

#define SS_UDP_MAX_DATAGRAMS 64
#define SS_UDP_RECEIVED_INTS 6   /* length, port, 4 address words */
#define SS_UDP_SENT_INTS 7       /* offset, length, port, 4 address words */
#define SS_UDP_SENT_MANY_INTS 8  /* socket, then a SENT record */
#define SS_UDP_TRUNCATED (-1)    /* the length of a datagram longer than its slot */

/*
 * Reads up to max_datagrams datagrams, datagram i into memory[offset + i * slot_size, + slot_size),
 * and writes record i (SS_UDP_RECEIVED_INTS ints) of received[0..received_ints).
 * Returns how many were read (0: none waiting) or -errno; -EINVAL for any layout that does not fit
 * the memory or the records, before the socket is touched.
 */
int ss_udp_receive(int fd, uint8_t *memory, int64_t capacity, int32_t offset, int32_t slot_size,
                   int32_t max_datagrams, int32_t *received, size_t received_ints);

/*
 * Sends count records of records[0..record_ints) (offset, length, destination) from memory, which
 * it never writes. A record outside the memory or with an impossible port is skipped, a datagram the
 * kernel refuses does not stop the next, a full send buffer stops the rest.
 * Returns how many datagrams the kernel took, or -EINVAL for a malformed call.
 */
int ss_udp_send(int fd, const uint8_t *memory, int64_t capacity, const int32_t *records, size_t record_ints,
                int32_t count);

/*
 * Sends count records of records[0..record_ints) (socket, offset, length, destination) from memory,
 * each from its own socket: a burst's datagrams for many sockets, in one io_uring submission when
 * use_ring is set and this thread's ring could be opened (ss_udp_ring_error), else with one sendmmsg
 * per run of consecutive records of one socket. Writes results[i] for each record: the octets sent or
 * -errno (-EINVAL for a record outside the memory or with an impossible port, -EAGAIN for a full send
 * buffer). Records of one socket leave in their order. Never blocks: each send is MSG_DONTWAIT, and
 * the call returns only once the kernel has answered for every record (nothing it was given stays in
 * flight). Returns how many datagrams the kernel took, or -EINVAL for a malformed call (then no
 * result is written and nothing is sent).
 */
int ss_udp_send_many(const uint8_t *memory, int64_t capacity, const int32_t *records, size_t record_ints,
                     int32_t count, int32_t *results, size_t result_count, int use_ring);

/*
 * Opens the calling thread's send ring if it has not tried yet (it closes when the thread ends).
 * Returns 0 when the thread sends through io_uring, or the -errno that kept its ring from opening
 * (-ENOSYS: an old kernel; -EPERM: io_uring disabled by sysctl or a seccomp profile). One try per
 * thread: a thread whose ring could not open sends with sendmmsg for the rest of its life.
 */
int ss_udp_ring_error(void);

#endif
