/*
 * `make bench-receive` (a benchmark, not a check): what receiving costs the media relay's loop per
 * datagram, through its receive ring (ss_udp_receive_ring.c) against epoll and one recvmmsg per ready
 * socket (ss_udp_receive), the way a loop without a ring reads. SOCKETS loopback sockets get RATE
 * datagrams/s of 172 octets, spread evenly, from a sender thread on CPU 0; the reader, on CPU 1, reads
 * every 200 us (the relay's batch window) for SECONDS, and its thread's CPU time (user + system, from
 * getrusage) is divided by the datagrams it read. The two ways alternate, RUNS times each, and the
 * medians and their ratio are printed with every run. Only 127.0.0.1 is used.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ss_udp.h"

#define SOCKETS 6000
#define RATE 100000
#define SECONDS 5
#define RUNS 3
#define SLOT 2048
#define WINDOW_US 200

static int ports[SOCKETS];
static volatile int sending;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set); /* best effort: one CPU only shares it */
}

static void *sender(void *unused) {
    (void)unused;
    pin(0);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    uint8_t datagram[172] = { 0x80 };
    long long start = now_ns(), sent = 0;
    while (sending) {
        long long due = (now_ns() - start) * RATE / 1000000000LL;
        for (; sent < due; sent++) {
            to.sin_port = htons((uint16_t)ports[(sent * 7) % SOCKETS]);
            sendto(s, datagram, sizeof datagram, 0, (struct sockaddr *)&to, sizeof to);
        }
        usleep(50);
    }
    close(s);
    return NULL;
}

static double thread_cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_THREAD, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* One run: microseconds of the reader's CPU per datagram read (negative: it could not run). */
static double run(int through_ring, uint8_t *memory) {
    static int fds[SOCKETS];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < SOCKETS; i++) {
        fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        int size = 1 << 20;
        setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, len) != 0 || getsockname(fds[i], (struct sockaddr *)&a, &len) != 0) {
            fprintf(stderr, "socket %d: %s\n", i, strerror(errno));
            return -1;
        }
        ports[i] = ntohs(a.sin_port);
        if (through_ring) {
            if (ss_udp_receive_ring_listen(fds[i], i) != 0) return -1;
        } else {
            struct epoll_event e = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
            epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
        }
    }
    sending = 1;
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    int32_t records[64 * SS_UDP_RING_RECORD_INTS], slots[64], received[8 * SS_UDP_RECEIVED_INTS];
    struct epoll_event ready[1024];
    long long datagrams = 0;
    double cpu = 0;
    long long warm = now_ns() + 500000000LL, end = warm + SECONDS * 1000000000LL;
    int measuring = 0;
    for (long long at = now_ns(); at < end; at = now_ns()) {
        if (!measuring && at >= warm) {
            measuring = 1;
            datagrams = 0;
            cpu = thread_cpu_seconds();
        }
        usleep(WINDOW_US);
        if (through_ring) {
            for (;;) {
                int n = ss_udp_receive_ring_take(records, sizeof records / sizeof records[0], 64);
                if (n <= 0) break;
                int held = 0;
                for (int k = 0; k < n; k++) {
                    int32_t slot = records[k * SS_UDP_RING_RECORD_INTS + 1];
                    if (slot >= 0) slots[held++] = slot;
                    if (records[k * SS_UDP_RING_RECORD_INTS + 3] == ENOBUFS) {
                        ss_udp_receive_ring_listen(fds[records[k * SS_UDP_RING_RECORD_INTS]], records[k * SS_UDP_RING_RECORD_INTS]);
                    }
                }
                datagrams += held;
                ss_udp_receive_ring_give_back(slots, held);
                if (n < 64) break;
            }
        } else {
            int n = epoll_wait(ep, ready, 1024, 0);
            for (int k = 0; k < n; k++) {
                int got = ss_udp_receive(fds[ready[k].data.u32], memory, 64 * SLOT, 0, SLOT, 8, received,
                                         sizeof received / sizeof received[0]);
                if (got > 0) datagrams += got;
            }
        }
    }
    cpu = thread_cpu_seconds() - cpu;
    sending = 0;
    pthread_join(t, NULL);
    for (int i = 0; i < SOCKETS; i++) {
        if (through_ring) ss_udp_receive_ring_forget(i);
        close(fds[i]);
    }
    /* what the sockets left on the ring (their last records, datagrams not read yet) goes with them */
    for (int n; through_ring && (n = ss_udp_receive_ring_take(records, sizeof records / sizeof records[0], 64)) > 0;) {
        int held = 0;
        for (int k = 0; k < n; k++) {
            if (records[k * SS_UDP_RING_RECORD_INTS + 1] >= 0) slots[held++] = records[k * SS_UDP_RING_RECORD_INTS + 1];
        }
        ss_udp_receive_ring_give_back(slots, held);
    }
    close(ep);
    return datagrams > 0 ? cpu * 1e6 / (double)datagrams : -1;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    struct rlimit files;
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    pin(1);
    uint8_t *ring_slots;
    int wake;
    int rc = ss_udp_receive_ring_open(SLOT, 128, &ring_slots, &wake);
    if (rc != 0) {
        fprintf(stderr, "bench-receive: the receive ring could not open: %s\n", strerror(-rc));
        return 1;
    }
    static uint8_t memory[64 * SLOT];
    double ring[RUNS], epoll[RUNS];
    printf("bench-receive: %d sockets, %d datagrams/s, a read every %d us, %d s per run\n", SOCKETS, RATE, WINDOW_US, SECONDS);
    for (int r = 0; r < RUNS; r++) {
        ring[r] = run(1, memory);
        epoll[r] = run(0, memory);
        printf("run %d: receive ring %.3f us per datagram, epoll + recvmmsg %.3f\n", r + 1, ring[r], epoll[r]);
        if (ring[r] < 0 || epoll[r] < 0) return 1;
    }
    qsort(ring, RUNS, sizeof ring[0], by_value);
    qsort(epoll, RUNS, sizeof epoll[0], by_value);
    printf("median [lowest .. highest]: receive ring %.3f [%.3f .. %.3f], epoll + recvmmsg %.3f [%.3f .. %.3f] us per datagram;"
           " ring / epoll %.2fx\n", ring[RUNS / 2], ring[0], ring[RUNS - 1], epoll[RUNS / 2], epoll[0], epoll[RUNS - 1],
           ring[RUNS / 2] / epoll[RUNS / 2]);
    ss_udp_receive_ring_close();
    return 0;
}
