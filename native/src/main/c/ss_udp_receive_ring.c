/*
 * The receive ring (see ss_udp.h): one io_uring per event-loop thread on which every socket of the
 * loop keeps one multishot recvmsg armed, with datagrams landing in slots the ring itself owns
 * (a provided-buffer ring over one mapping). The kernel receives from every socket with data in
 * one io_uring_enter per wake-up (deferred task work: only when this thread asks), where epoll and
 * recvmmsg took an epoll_wait, a poll of each ready socket and one system call per socket.
 *
 * Every slot number and length the kernel reports is checked against the mapping before it is
 * turned into a record, and a slot is given back to the kernel only while this thread holds it, so
 * a caller that gives one back twice cannot have two datagrams written into one slot.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ss_udp.h"
#include "ss_udp_uring.h"

_Static_assert(sizeof(struct io_uring_recvmsg_out) + sizeof(struct sockaddr_in6) == SS_UDP_RING_PAYLOAD_AT,
               "a slot's datagram starts after the kernel's header and the source's room");

#define BUFFER_GROUP 0
/* the user_data of the cancel requests themselves, and of the wake-up eventfd's poll, apart from every socket's (0 .. INT32_MAX) */
#define CANCEL_TAG UINT64_MAX
#define WAKE_TAG (UINT64_MAX - 1)

typedef struct {
    ss_uring u;    /* its rings (ss_udp_uring.c) */
    int eventfd;   /* written by any thread to end this thread's ss_udp_receive_ring_wait */
    struct io_uring_buf_ring *buffers;
    size_t buffers_len;
    unsigned buffer_mask;
    uint16_t buffer_tail;
    uint8_t *memory;
    size_t memory_len;
    int32_t slot_size, slots;
    uint8_t *held;       /* held[slot]: taken from the kernel and not given back yet */
    struct msghdr msg;   /* every socket's recvmsg: room for an IPv6 source, no control data */
} receive_ring;

static pthread_key_t ring_key;
static pthread_once_t ring_key_once = PTHREAD_ONCE_INIT;
static int ring_key_error;

static void ring_close(receive_ring *r) {
    /* the ring first: closing it cancels every recvmsg, so the kernel writes no slot any more */
    ss_uring_close(&r->u);
    if (r->eventfd >= 0) close(r->eventfd);
    if (r->buffers != NULL) munmap(r->buffers, r->buffers_len);
    if (r->memory != NULL) munmap(r->memory, r->memory_len);
    free(r->held);
    memset(r, 0, sizeof *r);
    r->u.fd = -1;
    r->eventfd = -1;
}

static void ring_at_thread_exit(void *ring) {
    ring_close(ring);
    free(ring);
}

static void ring_key_create(void) {
    ring_key_error = pthread_key_create(&ring_key, ring_at_thread_exit);
}

static receive_ring *ring_of_thread(void) {
    pthread_once(&ring_key_once, ring_key_create);
    return ring_key_error != 0 ? NULL : pthread_getspecific(ring_key);
}

static void give_back(receive_ring *r, int32_t slot) {
    struct io_uring_buf *b = &r->buffers->bufs[r->buffer_tail & r->buffer_mask];
    b->addr = (uint64_t)(uintptr_t)(r->memory + (size_t)slot * (size_t)r->slot_size);
    b->len = (uint32_t)r->slot_size;
    b->bid = (uint16_t)slot;
    r->buffer_tail++;
    r->held[slot] = 0;
}

static void publish_buffers(receive_ring *r) {
    __atomic_store_n(&r->buffers->tail, r->buffer_tail, __ATOMIC_RELEASE);
}

static int enter(receive_ring *r, unsigned submit, unsigned flags) {
    for (;;) {
        int rc = (int)syscall(__NR_io_uring_enter, r->u.fd, submit, 0u, flags, NULL, 0);
        if (rc >= 0 || errno != EINTR) return rc < 0 ? -errno : rc;
    }
}

/* Queues one request; the caller submits. Returns 0, or -EBUSY when the submission queue is full. */
static int queue(receive_ring *r, uint8_t opcode, int fd, uint64_t addr, uint64_t user_data) {
    unsigned tail = atomic_load_explicit(r->u.sq_tail, memory_order_relaxed);
    if (tail - atomic_load_explicit(r->u.sq_head, memory_order_acquire) >= r->u.sq_entries) return -EBUSY;
    unsigned at = tail & r->u.sq_mask;
    struct io_uring_sqe *q = &r->u.sqes[at];
    memset(q, 0, sizeof *q);
    q->opcode = opcode;
    q->fd = fd;
    q->addr = addr;
    q->user_data = user_data;
    if (opcode == IORING_OP_POLL_ADD) {
        q->len = IORING_POLL_ADD_MULTI;
        q->poll32_events = POLLIN;
    } else if (opcode == IORING_OP_RECVMSG) {
        q->len = 1;
        q->ioprio = IORING_RECV_MULTISHOT;
        q->flags = IOSQE_BUFFER_SELECT;
        q->buf_group = BUFFER_GROUP;
    }
    r->u.sq_array[at] = at;
    atomic_store_explicit(r->u.sq_tail, tail + 1, memory_order_release);
    return 0;
}

static int ring_setup(receive_ring *r, int32_t slot_size, int32_t slots) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    /* deferred task work: the kernel receives only inside this thread's io_uring_enter, all at once */
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;
    /* room for a datagram in every slot and an end for every socket, before the kernel must hold any back */
    p.cq_entries = 4096;
    int fd = (int)syscall(__NR_io_uring_setup, 64, &p);
    if (fd < 0) return errno;
    int err = ss_uring_map(&r->u, fd, &p);
    if (err != 0) return err;
    if (!(p.features & IORING_FEAT_NODROP)) return EOPNOTSUPP;

    r->memory_len = (size_t)slot_size * (size_t)slots;
    void *memory = mmap(NULL, r->memory_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (memory == MAP_FAILED) return errno;
    r->memory = memory;
    r->held = calloc((size_t)slots, 1);
    if (r->held == NULL) return ENOMEM;
    r->buffers_len = (size_t)slots * sizeof(struct io_uring_buf);
    void *buffers = mmap(NULL, r->buffers_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (buffers == MAP_FAILED) return errno;
    r->buffers = buffers;
    r->buffer_mask = (unsigned)slots - 1;
    r->slot_size = slot_size;
    r->slots = slots;
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)buffers;
    reg.ring_entries = (uint32_t)slots;
    reg.bgid = BUFFER_GROUP;
    if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_PBUF_RING, &reg, 1) != 0) return errno;
    for (int32_t s = 0; s < slots; s++) give_back(r, s);
    publish_buffers(r);

    memset(&r->msg, 0, sizeof r->msg);
    r->msg.msg_namelen = sizeof(struct sockaddr_in6);
    /*
     * The wake-up eventfd is polled by the ring itself: a wait on the ring ends for a datagram or a
     * write to it, whichever comes first. (An eventfd registered with the ring, for epoll to watch,
     * rang late for datagrams with deferred task work: 8 ms at the median.)
     */
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) return errno;
    r->eventfd = efd;
    int rc = queue(r, IORING_OP_POLL_ADD, efd, 0, WAKE_TAG);
    if (rc == 0) rc = enter(r, 1, 0);
    return rc < 0 ? -rc : 0;
}

int ss_udp_receive_ring_open(int32_t slot_size, int32_t slots, uint8_t **memory, int *eventfd) {
    if (memory == NULL || eventfd == NULL || slot_size < SS_UDP_RING_PAYLOAD_AT + 64 || slot_size > 65536
            || (slot_size & 63) != 0 || slots < 1 || slots > 32768 || (slots & (slots - 1)) != 0) {
        return -EINVAL;
    }
    pthread_once(&ring_key_once, ring_key_create);
    if (ring_key_error != 0) return -ring_key_error;
    if (pthread_getspecific(ring_key) != NULL) return -EEXIST;
    receive_ring *r = calloc(1, sizeof *r);
    if (r == NULL) return -ENOMEM;
    r->u.fd = -1;
    r->eventfd = -1;
    int err = ring_setup(r, slot_size, slots);
    if (err == 0) err = pthread_setspecific(ring_key, r);
    if (err != 0) {
        ring_close(r);
        free(r);
        return -err;
    }
    *memory = r->memory;
    *eventfd = r->eventfd;
    return 0;
}

int ss_udp_receive_ring_close(void) {
    receive_ring *r = ring_of_thread();
    if (r == NULL) return -EBADF;
    pthread_setspecific(ring_key, NULL);
    ring_close(r);
    free(r);
    return 0;
}

int ss_udp_receive_ring_listen(int fd, int32_t socket_id) {
    receive_ring *r = ring_of_thread();
    if (r == NULL) return -EBADF;
    if (fd < 0 || socket_id < 0) return -EINVAL;
    int rc = queue(r, IORING_OP_RECVMSG, fd, (uint64_t)(uintptr_t)&r->msg, (uint64_t)socket_id);
    if (rc == 0) rc = enter(r, 1, 0);
    return rc < 0 ? rc : 0;
}

int ss_udp_receive_ring_forget(int32_t socket_id) {
    receive_ring *r = ring_of_thread();
    if (r == NULL) return -EBADF;
    if (socket_id < 0) return -EINVAL;
    int rc = queue(r, IORING_OP_ASYNC_CANCEL, -1, (uint64_t)socket_id, CANCEL_TAG);
    /* with task work run too: the socket's last answer is then posted, and the ring lets go of its file */
    if (rc == 0) rc = enter(r, 1, IORING_ENTER_GETEVENTS);
    return rc < 0 ? rc : 0;
}

/* One answer as a record; returns 1, or 0 for an answer that is not a socket's (a cancel's own, a wake-up). */
static int record_of(receive_ring *r, const struct io_uring_cqe *c, int32_t *out) {
    if (c->user_data == WAKE_TAG) {
        uint64_t count;
        /* the writes are counted, not kept: the next wait must not end for them again */
        if (read(r->eventfd, &count, sizeof count) < 0 && errno != EAGAIN) return 0;
        if (!(c->flags & IORING_CQE_F_MORE) && queue(r, IORING_OP_POLL_ADD, r->eventfd, 0, WAKE_TAG) == 0) {
            enter(r, 1, 0); /* the poll ended (rarely: the kernel's own reasons): it is armed again */
        }
        return 0;
    }
    if (c->user_data > INT32_MAX) return 0;
    int32_t slot = -1, length = 0, port_and_words[5] = { 0 };
    if (c->flags & IORING_CQE_F_BUFFER) {
        uint32_t bid = c->flags >> IORING_CQE_BUFFER_SHIFT;
        if (bid < (uint32_t)r->slots && !r->held[bid]) {
            slot = (int32_t)bid;
            r->held[bid] = 1;
            const uint8_t *at = r->memory + (size_t)bid * (size_t)r->slot_size;
            struct io_uring_recvmsg_out out;
            memcpy(&out, at, sizeof out);
            if (c->res < SS_UDP_RING_PAYLOAD_AT) {
                length = SS_UDP_TRUNCATED; /* not even the header: nothing here can be forwarded */
            } else {
                length = (out.flags & MSG_TRUNC) || out.payloadlen > (uint32_t)(c->res - SS_UDP_RING_PAYLOAD_AT)
                        ? SS_UDP_TRUNCATED : (int32_t)out.payloadlen;
                struct sockaddr_storage from;
                memset(&from, 0, sizeof from);
                socklen_t len = out.namelen < sizeof(struct sockaddr_in6) ? out.namelen : sizeof(struct sockaddr_in6);
                memcpy(&from, at + sizeof out, len);
                ss_udp_pack_source(&from, len, port_and_words);
            }
        }
    }
    out[0] = (int32_t)c->user_data;
    out[1] = slot;
    out[2] = length;
    /* the socket stops listening: why (an errno; ENOBUFS when every slot was taken), or 0 while it listens */
    out[3] = (c->flags & IORING_CQE_F_MORE) ? 0 : (c->res < 0 ? -c->res : ENOBUFS);
    memcpy(out + 4, port_and_words, sizeof port_and_words);
    return 1;
}

static int reap(receive_ring *r, int32_t *records, int32_t room) {
    unsigned head = atomic_load_explicit(r->u.cq_head, memory_order_relaxed);
    unsigned tail = atomic_load_explicit(r->u.cq_tail, memory_order_acquire);
    int32_t n = 0;
    for (; head != tail && n < room; head++) {
        n += record_of(r, &r->u.cqes[head & r->u.cq_mask], records + (size_t)n * SS_UDP_RING_RECORD_INTS);
    }
    atomic_store_explicit(r->u.cq_head, head, memory_order_release);
    return n;
}

int ss_udp_receive_ring_take(int32_t *records, size_t record_ints, int32_t max_records) {
    receive_ring *r = ring_of_thread();
    if (r == NULL) return -EBADF;
    if (records == NULL || max_records < 1 || record_ints < (size_t)max_records * SS_UDP_RING_RECORD_INTS) return -EINVAL;
    int32_t n = reap(r, records, max_records);
    /*
     * The kernel runs this thread's pending receives in bounded rounds (a few dozen sockets each):
     * enter until a round posts nothing, or the records are full (the caller comes back for more).
     */
    for (int round = 0; n < max_records && round < 64; round++) {
        unsigned before = atomic_load_explicit(r->u.cq_tail, memory_order_acquire);
        if (atomic_load_explicit(r->u.cq_head, memory_order_relaxed) == before) {
            int rc = enter(r, 0, IORING_ENTER_GETEVENTS);
            if (rc < 0) return n > 0 ? n : rc;
            if (atomic_load_explicit(r->u.cq_tail, memory_order_acquire) == before) break;
        }
        n += reap(r, records + (size_t)n * SS_UDP_RING_RECORD_INTS, max_records - n);
    }
    return n;
}

int ss_udp_receive_ring_wait(int64_t timeout_nanos) {
    receive_ring *r = ring_of_thread();
    if (r == NULL) return -EBADF;
    if (timeout_nanos < 0) return -EINVAL;
    if (atomic_load_explicit(r->u.cq_head, memory_order_relaxed) != atomic_load_explicit(r->u.cq_tail, memory_order_acquire)) {
        return 0;
    }
    struct __kernel_timespec ts = { .tv_sec = timeout_nanos / 1000000000, .tv_nsec = timeout_nanos % 1000000000 };
    struct io_uring_getevents_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.ts = (uint64_t)(uintptr_t)&ts;
    int rc = (int)syscall(__NR_io_uring_enter, r->u.fd, 0u, 1u, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
    return rc >= 0 || errno == ETIME || errno == EINTR ? 0 : -errno;
}

int ss_udp_receive_ring_give_back(const int32_t *slots, int32_t count) {
    receive_ring *r = ring_of_thread();
    if (r == NULL) return -EBADF;
    if (slots == NULL || count < 0) return -EINVAL;
    int32_t given = 0;
    for (int32_t i = 0; i < count; i++) {
        int32_t s = slots[i];
        if (s >= 0 && s < r->slots && r->held[s]) {
            give_back(r, s);
            given++;
        }
    }
    if (given > 0) publish_buffers(r);
    return given;
}
