/*
 * Batched UDP I/O for the media relay (see ss_udp.h). The message headers live on the C stack;
 * every offset, length and count a caller gives is checked against the memory it names before
 * the kernel sees a pointer, in 64-bit arithmetic so no int32 product or sum can wrap.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ss_udp.h"
#include "ss_udp_uring.h"

static const uint8_t V4_MAPPED[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void words_from_bytes(const uint8_t b[16], int32_t *w) {
    for (int i = 0; i < 4; i++) {
        w[i] = (int32_t)(((uint32_t)b[4 * i] << 24) | ((uint32_t)b[4 * i + 1] << 16)
                         | ((uint32_t)b[4 * i + 2] << 8) | (uint32_t)b[4 * i + 3]);
    }
}

static void bytes_from_words(const int32_t *w, uint8_t b[16]) {
    for (int i = 0; i < 4; i++) {
        uint32_t v = (uint32_t)w[i];
        b[4 * i] = (uint8_t)(v >> 24);
        b[4 * i + 1] = (uint8_t)(v >> 16);
        b[4 * i + 2] = (uint8_t)(v >> 8);
        b[4 * i + 3] = (uint8_t)v;
    }
}

void ss_udp_pack_source(const struct sockaddr_storage *ss, socklen_t len, int32_t *out) {
    uint8_t b[16] = { 0 };
    int32_t port = 0;
    if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        memcpy(b, V4_MAPPED, 12);
        memcpy(b + 12, &in->sin_addr, 4);
        port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        memcpy(b, &in6->sin6_addr, 16);
        port = ntohs(in6->sin6_port);
    }
    out[0] = port;
    words_from_bytes(b, out + 1);
}

/*
 * The sockaddr of a destination: an IPv4-mapped address as AF_INET, any other as AF_INET6; 0 if the
 * port is impossible. Which family the socket can reach is the kernel's to say (it refuses the other
 * with EAFNOSUPPORT and that datagram is skipped): asking the socket its family here would cost a
 * getsockname per burst, one system call more per packet when each socket sends one.
 */
static socklen_t unpack_destination(const int32_t *port_and_words, struct sockaddr_storage *ss) {
    int32_t port = port_and_words[0];
    if (port <= 0 || port > 65535) return 0;
    uint8_t b[16];
    bytes_from_words(port_and_words + 1, b);
    memset(ss, 0, sizeof *ss);
    if (memcmp(b, V4_MAPPED, 12) == 0) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, b + 12, 4);
        return sizeof *in;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    memcpy(&in6->sin6_addr, b, 16);
    return sizeof *in6;
}

int ss_udp_receive(int fd, uint8_t *memory, int64_t capacity, int32_t offset, int32_t slot_size,
                   int32_t max_datagrams, int32_t *received, size_t received_ints) {
    if (fd < 0 || memory == NULL || received == NULL || capacity < 0 || offset < 0 || slot_size <= 0
            || max_datagrams < 1 || max_datagrams > SS_UDP_MAX_DATAGRAMS
            || (int64_t)offset + (int64_t)slot_size * max_datagrams > capacity
            || received_ints < (size_t)max_datagrams * SS_UDP_RECEIVED_INTS) {
        return -EINVAL;
    }
    struct mmsghdr msgs[SS_UDP_MAX_DATAGRAMS];
    struct iovec iov[SS_UDP_MAX_DATAGRAMS];
    struct sockaddr_storage from[SS_UDP_MAX_DATAGRAMS];
    memset(msgs, 0, sizeof msgs[0] * (size_t)max_datagrams);
    for (int i = 0; i < max_datagrams; i++) {
        iov[i].iov_base = memory + offset + (size_t)i * (size_t)slot_size;
        iov[i].iov_len = (size_t)slot_size;
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n;
    do {
        n = recvmmsg(fd, msgs, (unsigned)max_datagrams, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        int32_t *r = received + (size_t)i * SS_UDP_RECEIVED_INTS;
        /* the kernel cut a datagram longer than the slot: its tail is gone, it must not be forwarded */
        r[0] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? SS_UDP_TRUNCATED : (int32_t)msgs[i].msg_len;
        ss_udp_pack_source(&from[i], msgs[i].msg_hdr.msg_namelen, r + 1);
    }
    return n;
}

int ss_udp_send(int fd, const uint8_t *memory, int64_t capacity, const int32_t *records, size_t record_ints,
                int32_t count) {
    if (fd < 0 || memory == NULL || records == NULL || capacity < 0 || count < 0 || count > SS_UDP_MAX_DATAGRAMS
            || record_ints < (size_t)count * SS_UDP_SENT_INTS) {
        return -EINVAL;
    }
    if (count == 0) return 0;
    struct mmsghdr msgs[SS_UDP_MAX_DATAGRAMS];
    struct iovec iov[SS_UDP_MAX_DATAGRAMS];
    struct sockaddr_storage to[SS_UDP_MAX_DATAGRAMS];
    memset(msgs, 0, sizeof msgs[0] * (size_t)count);
    /* only well-formed records go out; the others are skipped (and not counted as sent) */
    int ready = 0;
    for (int i = 0; i < count; i++) {
        const int32_t *d = records + (size_t)i * SS_UDP_SENT_INTS;
        int64_t off = d[0], len = d[1];
        if (off < 0 || len < 0 || off + len > capacity) continue;
        socklen_t tolen = unpack_destination(d + 2, &to[ready]);
        if (tolen == 0) continue;
        /* sendmmsg only reads the datagram: the iovec's pointer is not const, the memory is */
        iov[ready].iov_base = (void *)(uintptr_t)(memory + off);
        iov[ready].iov_len = (size_t)len;
        msgs[ready].msg_hdr.msg_name = &to[ready];
        msgs[ready].msg_hdr.msg_namelen = tolen;
        msgs[ready].msg_hdr.msg_iov = &iov[ready];
        msgs[ready].msg_hdr.msg_iovlen = 1;
        ready++;
    }
    int sent = 0;
    int done = 0;
    while (done < ready) {
        int n = sendmmsg(fd, msgs + done, (unsigned)(ready - done), 0);
        if (n > 0) {
            sent += n;
            done += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break; /* socket buffer full: the rest is lost, as a router would drop it */
        } else {
            done++; /* this one failed (unreachable, refused): the next may still go */
        }
    }
    return sent;
}

/*
 * The send ring: one io_uring per thread that sends a burst, so a burst of datagrams for many sockets
 * costs one system call instead of one per socket (each of which also takes and drops a reference on
 * its socket's file). Only its own thread touches it, so it needs no lock. It is allocated and set up
 * on the thread's first ss_udp_ring_error or ss_udp_send_many with use_ring (never per packet), kept
 * as the thread's pthread-specific value (not __thread, which would make the library need ld.so's
 * __tls_get_addr), and torn down by the key's destructor when the thread ends.
 */
typedef struct {
    ss_uring u;      /* its rings (ss_udp_uring.c) */
    int error;       /* the errno its setup failed with, or of the io_uring_enter that broke it */
    int sendto;      /* IORING_OP_SEND takes a destination (Linux 6.0): no message header to copy per datagram */
} send_ring;

static pthread_key_t ring_key;
static pthread_once_t ring_key_once = PTHREAD_ONCE_INIT;
static int ring_key_error;

static void ring_close(send_ring *r) {
    ss_uring_close(&r->u);
}

static void ring_at_thread_exit(void *ring) {
    ring_close(ring);
    free(ring);
}

static void ring_key_create(void) {
    ring_key_error = pthread_key_create(&ring_key, ring_at_thread_exit);
}

static int ring_setup(send_ring *r) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    /* a submission that fails to prepare (a closed socket) is answered and the next still goes */
    p.flags = IORING_SETUP_SUBMIT_ALL;
    int fd = (int)syscall(__NR_io_uring_setup, SS_UDP_MAX_DATAGRAMS, &p);
    if (fd < 0 && errno == EINVAL) {
        memset(&p, 0, sizeof p);
        fd = (int)syscall(__NR_io_uring_setup, SS_UDP_MAX_DATAGRAMS, &p);
    }
    if (fd < 0) return errno;
    int err = ss_uring_map(&r->u, fd, &p);
    if (err == 0 && (p.sq_entries < SS_UDP_MAX_DATAGRAMS || p.cq_entries < SS_UDP_MAX_DATAGRAMS)) err = EOPNOTSUPP;
    if (err != 0) ring_close(r);
    return err;
}

static int ring_sends_to(send_ring *r);

/*
 * This thread's ring, set up on its first call: one try per thread, its outcome kept either way.
 * Writes the errno that keeps it closed to *error (0 when open) and returns the ring or NULL.
 */
static send_ring *ring_of_thread(int *error) {
    pthread_once(&ring_key_once, ring_key_create);
    if (ring_key_error != 0) {
        *error = ring_key_error;
        return NULL;
    }
    send_ring *r = pthread_getspecific(ring_key);
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        if (r == NULL) {
            *error = ENOMEM;
            return NULL;
        }
        r->u.fd = -1;
        int err = pthread_setspecific(ring_key, r);
        if (err != 0) {
            free(r);
            *error = err;
            return NULL;
        }
        r->error = ring_setup(r);
        if (r->error == 0) r->sendto = ring_sends_to(r);
    }
    *error = r->u.fd >= 0 ? 0 : (r->error != 0 ? r->error : EBADF);
    return r->u.fd >= 0 ? r : NULL;
}

int ss_udp_ring_error(void) {
    int error;
    ring_of_thread(&error);
    return -error;
}

/* Takes every answer the kernel has posted: result[user_data] for each. Returns how many. */
static int ring_reap(send_ring *r, int32_t *result, int n) {
    unsigned head = atomic_load_explicit(r->u.cq_head, memory_order_relaxed);
    unsigned tail = atomic_load_explicit(r->u.cq_tail, memory_order_acquire);
    int reaped = 0;
    for (; head != tail; head++) {
        const struct io_uring_cqe *c = &r->u.cqes[head & r->u.cq_mask];
        if (c->user_data < (uint64_t)n) result[c->user_data] = c->res;
        reaped++;
    }
    atomic_store_explicit(r->u.cq_head, head, memory_order_release);
    return reaped;
}

/*
 * Sends msgs[0..n) through the ring, msgs[i] from fds[i], and writes result[i]. The message headers
 * live in the caller's frame, so this returns only once all n are answered; each send is
 * MSG_DONTWAIT (io_uring then answers EAGAIN instead of waiting for room), so all are answered
 * inside io_uring_enter. Returns 0, or the errno of an io_uring_enter that failed: then the ring is
 * closed (which drops what it had not taken yet) and the unanswered results are left as they were.
 */
static int ring_send(send_ring *r, struct msghdr *msgs, const int *fds, int n, int32_t *result) {
    unsigned tail = atomic_load_explicit(r->u.sq_tail, memory_order_relaxed);
    for (int i = 0; i < n; i++) {
        unsigned at = (tail + (unsigned)i) & r->u.sq_mask;
        struct io_uring_sqe *q = &r->u.sqes[at];
        memset(q, 0, sizeof *q);
        q->fd = fds[i];
        if (r->sendto) {
            /* sendto: the kernel reads the datagram and its destination, not a header and an iovec */
            q->opcode = IORING_OP_SEND;
            q->addr = (uint64_t)(uintptr_t)msgs[i].msg_iov[0].iov_base;
            q->len = (uint32_t)msgs[i].msg_iov[0].iov_len;
            q->addr2 = (uint64_t)(uintptr_t)msgs[i].msg_name;
            q->addr_len = (uint16_t)msgs[i].msg_namelen;
        } else {
            q->opcode = IORING_OP_SENDMSG;
            q->addr = (uint64_t)(uintptr_t)&msgs[i];
            q->len = 1;
        }
        q->msg_flags = MSG_DONTWAIT;
        q->user_data = (uint64_t)i;
        r->u.sq_array[at] = at;
    }
    atomic_store_explicit(r->u.sq_tail, tail + (unsigned)n, memory_order_release);
    int submitted = 0, answered = 0;
    while (answered < n) {
        int rc = (int)syscall(__NR_io_uring_enter, r->u.fd, (unsigned)(n - submitted), (unsigned)(n - answered),
                              IORING_ENTER_GETEVENTS, NULL, 0);
        if (rc < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            answered += ring_reap(r, result, n);
            ring_close(r);
            r->error = err;
            return err;
        }
        submitted += rc;
        answered += ring_reap(r, result, n);
    }
    return 0;
}

/*
 * Whether this kernel's IORING_OP_SEND takes a destination (older ones refuse the request, which would
 * lose every datagram): one octet from a socket of its own to itself on loopback. Without loopback the
 * answer is no, and the ring sends with IORING_OP_SENDMSG.
 */
static int ring_sends_to(send_ring *r) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    struct sockaddr_in self;
    memset(&self, 0, sizeof self);
    self.sin_family = AF_INET;
    self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof self;
    int32_t answer = INT32_MIN;
    if (bind(fd, (struct sockaddr *)&self, len) == 0 && getsockname(fd, (struct sockaddr *)&self, &len) == 0) {
        uint8_t octet = 0;
        struct iovec iov = { .iov_base = &octet, .iov_len = 1 };
        struct msghdr msg;
        memset(&msg, 0, sizeof msg);
        msg.msg_name = &self;
        msg.msg_namelen = len;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        r->sendto = 1;
        ring_send(r, &msg, &fd, 1, &answer);
    }
    close(fd);
    return answer == 1;
}

/* One sendmmsg per run of consecutive records of one socket, for a thread without a ring. */
static void send_runs(struct mmsghdr *msgs, const int *fds, const int *record_of, int n, int32_t *result) {
    int at = 0;
    while (at < n) {
        int end = at + 1;
        while (end < n && fds[end] == fds[at]) end++;
        while (at < end) {
            int sent = sendmmsg(fds[at], msgs + at, (unsigned)(end - at), MSG_DONTWAIT);
            if (sent > 0) {
                for (int k = 0; k < sent; k++) result[record_of[at + k]] = (int32_t)msgs[at + k].msg_len;
                at += sent;
            } else if (sent < 0 && errno == EINTR) {
                continue;
            } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                /* the socket's buffer is full: the rest of its run is lost, as a router would drop it */
                for (; at < end; at++) result[record_of[at]] = -EAGAIN;
            } else {
                result[record_of[at]] = sent < 0 ? -errno : -EIO;
                at++; /* this one failed (unreachable, refused): the next may still go */
            }
        }
    }
}

int ss_udp_send_many(const uint8_t *memory, int64_t capacity, const int32_t *records, size_t record_ints,
                     int32_t count, int32_t *results, size_t result_count, int use_ring) {
    if (memory == NULL || records == NULL || results == NULL || capacity < 0 || count < 0
            || count > SS_UDP_MAX_DATAGRAMS || record_ints < (size_t)count * SS_UDP_SENT_MANY_INTS
            || result_count < (size_t)count) {
        return -EINVAL;
    }
    struct mmsghdr msgs[SS_UDP_MAX_DATAGRAMS];
    struct msghdr hdrs[SS_UDP_MAX_DATAGRAMS];
    struct iovec iov[SS_UDP_MAX_DATAGRAMS];
    struct sockaddr_storage to[SS_UDP_MAX_DATAGRAMS];
    int fds[SS_UDP_MAX_DATAGRAMS], record_of[SS_UDP_MAX_DATAGRAMS];
    int32_t answers[SS_UDP_MAX_DATAGRAMS];
    int ready = 0;
    for (int i = 0; i < count; i++) {
        const int32_t *d = records + (size_t)i * SS_UDP_SENT_MANY_INTS;
        int64_t off = d[1], len = d[2];
        results[i] = -EINVAL;
        if (d[0] < 0 || off < 0 || len < 0 || off + len > capacity) continue;
        socklen_t tolen = unpack_destination(d + 3, &to[ready]);
        if (tolen == 0) continue;
        /* the kernel only reads the datagram: the iovec's pointer is not const, the memory is */
        iov[ready].iov_base = (void *)(uintptr_t)(memory + off);
        iov[ready].iov_len = (size_t)len;
        memset(&hdrs[ready], 0, sizeof hdrs[ready]);
        hdrs[ready].msg_name = &to[ready];
        hdrs[ready].msg_namelen = tolen;
        hdrs[ready].msg_iov = &iov[ready];
        hdrs[ready].msg_iovlen = 1;
        fds[ready] = d[0];
        record_of[ready] = i;
        ready++;
    }
    if (ready == 0) return 0;
    int ring_error;
    send_ring *r = use_ring ? ring_of_thread(&ring_error) : NULL;
    int left = ready;
    if (r != NULL) {
        for (int k = 0; k < ready; k++) answers[k] = INT32_MIN;
        ring_send(r, hdrs, fds, ready, answers);
        /* what a failed ring left unanswered goes by sendmmsg, in order after what it answered */
        left = 0;
        for (int k = 0; k < ready; k++) {
            if (answers[k] != INT32_MIN) {
                results[record_of[k]] = answers[k];
            } else {
                fds[left] = fds[k];
                record_of[left] = record_of[k];
                hdrs[left] = hdrs[k];
                left++;
            }
        }
    }
    if (left > 0) {
        for (int k = 0; k < left; k++) {
            msgs[k].msg_hdr = hdrs[k];
            msgs[k].msg_len = 0;
        }
        send_runs(msgs, fds, record_of, left, results);
    }
    int sent = 0;
    for (int i = 0; i < count; i++) {
        if (results[i] >= 0) sent++;
    }
    return sent;
}
