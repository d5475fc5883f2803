/*
 * The mapping of an io_uring's submission and completion rings, shared by the relay's send ring
 * (ss_udp.c) and receive ring (ss_udp_receive_ring.c): each sets its ring up with its own flags, then
 * maps it here.
 */
#ifndef SIPSHIELD_SS_UDP_URING_H
#define SIPSHIELD_SS_UDP_URING_H

#include <linux/io_uring.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    int fd;          /* the ring's descriptor, -1 when not open */
    void *rings;     /* SQ and CQ rings, one mapping (IORING_FEAT_SINGLE_MMAP) */
    size_t rings_len;
    struct io_uring_sqe *sqes;
    size_t sqes_len;
    _Atomic unsigned *sq_head, *sq_tail, *cq_head, *cq_tail;
    unsigned *sq_array, sq_mask, sq_entries, cq_mask;
    struct io_uring_cqe *cqes;
} ss_uring;

/*
 * Maps the rings of fd, which io_uring_setup answered with p, into u (which then owns fd). Returns 0,
 * or the errno that kept them from mapping (EOPNOTSUPP: a kernel without one mapping for both rings).
 */
int ss_uring_map(ss_uring *u, int fd, const struct io_uring_params *p);

/* Unmaps the rings and closes the descriptor; u is then closed (fd -1). */
void ss_uring_close(ss_uring *u);

#endif
