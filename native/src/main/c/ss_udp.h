/*
 * The media relay's batched UDP I/O (recvmmsg / sendmmsg over caller-owned memory) as plain C, so
 * the checks on a caller's slot layout are the same code whether the JNI glue (jni_udp.c) or the
 * libFuzzer target (src/test/c/fuzz_udp.c, random layouts on real loopback sockets) calls them.
 *
 * Addresses are a port and four big-endian 32-bit words of a 16-octet IPv6 address; an IPv4
 * address is its IPv4-mapped form (::ffff:a.b.c.d). Nothing here allocates, but for opening a thread's rings.
 */
#ifndef SIPSHIELD_SS_UDP_H
#define SIPSHIELD_SS_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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

/* port + words of a received sockaddr into out[0..5); other families (a UNIX socket's peer) report port 0 and ::. */
void ss_udp_pack_source(const struct sockaddr_storage *ss, socklen_t len, int32_t *out);

/*
 * The receive ring (ss_udp_receive_ring.c): the calling thread's io_uring, on which each of its
 * sockets keeps a multishot recvmsg armed, into `slots` slots of `slot_size` octets that the ring
 * owns. A datagram starts SS_UDP_RING_PAYLOAD_AT octets into its slot (the kernel writes its header
 * and the source before it), so it has slot_size - SS_UDP_RING_PAYLOAD_AT octets of room.
 * Every call acts on the calling thread's ring, never another's.
 */
#define SS_UDP_RING_PAYLOAD_AT 44
#define SS_UDP_RING_RECORD_INTS 9 /* socket, slot, length, stopped, port, 4 address words */

/*
 * Opens the calling thread's receive ring: slots a power of two up to 32768, slot_size a multiple of
 * 64 from 128 to 65536. Writes where its slots are (slot i at memory + i * slot_size, valid until the
 * ring closes) and an eventfd that any thread may write to end the ring thread's
 * ss_udp_receive_ring_wait. Returns 0 or -errno (-EEXIST: the thread has one).
 */
int ss_udp_receive_ring_open(int32_t slot_size, int32_t slots, uint8_t **memory, int *eventfd);

/* Closes the calling thread's ring and its slots (the kernel lets go of every socket). 0 or -EBADF. */
int ss_udp_receive_ring_close(void);

/* Arms a multishot recvmsg on fd; its datagrams are reported under socket_id (>= 0). 0 or -errno. */
int ss_udp_receive_ring_listen(int fd, int32_t socket_id);

/*
 * Cancels socket_id's recvmsg and runs the kernel's pending work, so that its last record (stopped
 * ECANCELED) is posted and the ring no longer holds its file: closing the socket then frees its port.
 * 0 or -errno.
 */
int ss_udp_receive_ring_forget(int32_t socket_id);

/*
 * Receives what the kernel has for this thread's sockets and writes up to max_records records of
 * SS_UDP_RING_RECORD_INTS ints: socket id; the slot holding the datagram, or -1 for none; its length
 * (SS_UDP_TRUNCATED when it did not fit); 0 while the socket still listens, else the errno why it
 * stopped (ENOBUFS: every slot was held; ECANCELED: forgotten) and must be listened to again; the
 * source (port, 4 words). Each slot reported stays the caller's until given back. Never blocks.
 * Returns the number of records or -errno.
 */
int ss_udp_receive_ring_take(int32_t *records, size_t record_ints, int32_t max_records);

/*
 * Waits until the kernel has something for this thread's sockets, the wake-up eventfd is written, or
 * timeout_nanos pass; at once when records are waiting. Returns 0 or -errno.
 */
int ss_udp_receive_ring_wait(int64_t timeout_nanos);

/* Gives slots back to the kernel for new datagrams; a slot the caller does not hold is skipped. Returns how many. */
int ss_udp_receive_ring_give_back(const int32_t *slots, int32_t count);

#endif
