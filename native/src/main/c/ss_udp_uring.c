/* The mapping of an io_uring's rings (see ss_udp_uring.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ss_udp_uring.h"

int ss_uring_map(ss_uring *u, int fd, const struct io_uring_params *p) {
    memset(u, 0, sizeof *u);
    u->fd = fd;
    if (!(p->features & IORING_FEAT_SINGLE_MMAP)) return EOPNOTSUPP;
    size_t sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
    size_t cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
    u->rings_len = sq_len > cq_len ? sq_len : cq_len;
    void *rings = mmap(NULL, u->rings_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    if (rings == MAP_FAILED) return errno;
    u->rings = rings;
    u->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
    void *sqes = mmap(NULL, u->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    if (sqes == MAP_FAILED) return errno;
    u->sqes = sqes;
    uint8_t *base = rings;
    u->sq_head = (_Atomic unsigned *)(base + p->sq_off.head);
    u->sq_tail = (_Atomic unsigned *)(base + p->sq_off.tail);
    u->sq_mask = *(unsigned *)(base + p->sq_off.ring_mask);
    u->sq_entries = p->sq_entries;
    u->sq_array = (unsigned *)(base + p->sq_off.array);
    u->cq_head = (_Atomic unsigned *)(base + p->cq_off.head);
    u->cq_tail = (_Atomic unsigned *)(base + p->cq_off.tail);
    u->cq_mask = *(unsigned *)(base + p->cq_off.ring_mask);
    u->cqes = (struct io_uring_cqe *)(base + p->cq_off.cqes);
    return 0;
}

void ss_uring_close(ss_uring *u) {
    if (u->sqes != NULL) munmap(u->sqes, u->sqes_len);
    if (u->rings != NULL) munmap(u->rings, u->rings_len);
    if (u->fd >= 0) close(u->fd);
    memset(u, 0, sizeof *u);
    u->fd = -1;
}
