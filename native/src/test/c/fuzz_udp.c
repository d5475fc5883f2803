/*
 * libFuzzer target over the media relay's batched UDP I/O (ss_udp.c, what UdpNative's JNI glue
 * calls) with random slot layouts on real sockets: UDP on 127.0.0.1 and [::1], and a UNIX datagram
 * socketpair. Built with ASan and UBSan (`make fuzz`, replayed by `make sanitize`). The memory and
 * the record arrays are heap blocks of exactly the size the input gives, so a read or write past
 * them is an ASan report; inside them, what the call may not write is checked against a copy.
 *
 * Each input is up to four operations, each
 *   - a receive over the socketpair, whose delivery is synchronous, so the exact result is known:
 *     how many datagrams, each length or TRUNCATED, the bytes in each slot, source port 0 and ::;
 *   - a send of random records (offsets, lengths, destinations, counts) from one socket, then a
 *     receive with a random layout on another: structural checks only (UDP may arrive later);
 *   - the same with ss_udp_send_many, each record from a random socket (or none), through this
 *     thread's io_uring or through sendmmsg: each result answered, a bad record refused.
 * Layouts include negative and oversized offsets, lengths and slot sizes, slot counts beyond the
 * memory or beyond 64, record arrays shorter than the count, a NULL memory, bad file descriptors
 * and destinations of the wrong family. Traffic only goes to 127.0.0.0/8 and ::1, and only to this
 * target's own sockets' ports (or impossible ports the call must refuse).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ss_udp.h"

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)
#define MAX_QUEUED 72     /* more than a receive can take, so some stay queued */
#define MAX_DATAGRAM 2100 /* around the relay's 2048-octet slots */

enum { V4A, V4B, V6, UNIX_OUT, UNIX_IN, PIPE_R, SOCKET_COUNT };
static int fds[SOCKET_COUNT];
static int32_t ports[3];

/* The input, read front to back; past its end every byte is 0. */
typedef struct { const uint8_t *p; size_t n; } input;

static uint8_t u8(input *in) {
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}

/* Two octets, the first one high (each read in its own statement: the order is the input's). */
static uint32_t u16(input *in) {
    uint32_t high = u8(in);
    return high << 8 | u8(in);
}

static uint32_t u32(input *in) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | u8(in);
    return v;
}

/* An int a layout field takes: mostly small or at a boundary, sometimes any 32 bits. */
static int32_t layout_int(input *in) {
    static const int32_t edges[] = { 0, -1, 1, 63, 64, 65, 2047, 2048, INT32_MAX, INT32_MIN, 0x40000000 };
    uint8_t how = u8(in);
    switch (how % 4) {
    case 0: return (int32_t)u32(in);
    case 1: return (int32_t)(u16(in) % 4096);
    case 2: return (int8_t)u8(in);
    default: return edges[u8(in) % (sizeof edges / sizeof edges[0])];
    }
}

static int pick_fd(input *in) {
    uint8_t c = u8(in) % 8;
    if (c < SOCKET_COUNT) return fds[c];
    return c == 6 ? -1 : 1 << 20; /* no such descriptor (above RLIMIT_NOFILE) */
}

static void drain(void) {
    uint8_t sink[MAX_DATAGRAM];
    for (int i = 0; i < SOCKET_COUNT; i++) {
        if (i == PIPE_R) continue;
        for (int bound = 0; bound < 10000 && recv(fds[i], sink, sizeof sink, MSG_DONTWAIT) >= 0; bound++) {}
    }
}

static int udp_socket(int family) {
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) FAIL("socket: %s", strerror(errno));
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    } else {
        int one = 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0) FAIL("bind: %s", strerror(errno));
    int size = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    return fd;
}

static int32_t local_port(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) FAIL("getsockname: %s", strerror(errno));
    return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                                   : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    fds[V4A] = udp_socket(AF_INET);
    fds[V4B] = udp_socket(AF_INET);
    fds[V6] = udp_socket(AF_INET6);
    int pair[2], p[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) FAIL("socketpair");
    int size = 1 << 22;
    setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    fds[UNIX_OUT] = pair[0];
    fds[UNIX_IN] = pair[1];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) FAIL("pipe");
    fds[PIPE_R] = p[0];   /* not a socket: ENOTSOCK */
    for (int i = 0; i < 3; i++) ports[i] = local_port(fds[i]);
    return 0;
}

/*
 * Fills the stack below the caller with what an AF_INET address looks like (every 16-bit word 2), so a
 * read of an address the kernel did not write (a UNIX peer has none) gives the same wrong answer on
 * every run, instead of whatever an earlier call left there: that is how this target's first finding
 * (sources of UNIX peers read from stale stack) became a seed that fails alone.
 */
__attribute__((noinline)) static void scribble_stack(void) {
    volatile uint16_t junk[16384];
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) junk[i] = AF_INET;
}

/* A layout for receive, in heap blocks of exactly its sizes. */
typedef struct {
    int64_t capacity;
    uint8_t *memory, *before;
    int32_t offset, slot, max;
    size_t ints;
    int32_t *records, *records_before;
} layout;

static void read_layout(input *in, layout *l) {
    l->capacity = u8(in) & 1 ? (int64_t)(u16(in) % 16384) : (int64_t)(u8(in) % 4) * 2048;
    int no_memory = u8(in) % 16 == 0;
    l->offset = layout_int(in);
    l->slot = layout_int(in);
    l->max = layout_int(in);
    l->ints = u8(in) % 8 == 0 ? (size_t)(u8(in) % 8) : (size_t)(u16(in) % 512);
    l->memory = no_memory ? NULL : malloc((size_t)l->capacity);
    l->before = malloc((size_t)l->capacity);
    l->records = malloc(l->ints * sizeof(int32_t));
    l->records_before = malloc(l->ints * sizeof(int32_t));
    if ((!no_memory && l->memory == NULL) || l->before == NULL || l->records == NULL || l->records_before == NULL) abort();
    for (int64_t i = 0; i < l->capacity; i++) l->before[i] = (uint8_t)(0xa5 ^ i);
    if (l->memory != NULL) memcpy(l->memory, l->before, (size_t)l->capacity);
    for (size_t i = 0; i < l->ints; i++) l->records_before[i] = (int32_t)(0x5a5a5a5a ^ i);
    memcpy(l->records, l->records_before, l->ints * sizeof(int32_t));
}

static void free_layout(layout *l) {
    free(l->memory);
    free(l->before);
    free(l->records);
    free(l->records_before);
}

/* What ss_udp.h promises about a receive's layout, written out independently of ss_udp.c. */
static int layout_valid(int fd, const layout *l) {
    return fd >= 0 && l->memory != NULL && l->offset >= 0 && l->slot > 0 && l->max >= 1
        && l->max <= SS_UDP_MAX_DATAGRAMS && (int64_t)l->offset + (int64_t)l->slot * l->max <= l->capacity
        && l->ints >= (size_t)l->max * SS_UDP_RECEIVED_INTS;
}

/* The checks that hold for any receive: nothing written but the slots and records of what was read. */
static void check_receive(int fd, const layout *l, int rc) {
    int valid = layout_valid(fd, l);
    if (!valid && rc != -EINVAL) FAIL("receive: invalid layout (offset %d slot %d max %d ints %zu cap %lld) gave %d",
                                      l->offset, l->slot, l->max, l->ints, (long long)l->capacity, rc);
    if (valid && rc > l->max) FAIL("receive: %d datagrams for %d slots", rc, l->max);
    int n = rc > 0 ? rc : 0;
    for (size_t i = (size_t)n * SS_UDP_RECEIVED_INTS; i < l->ints; i++) {
        if (l->records[i] != l->records_before[i]) FAIL("receive: record int %zu written past %d records", i, n);
    }
    if (l->memory == NULL) return;
    for (int64_t i = 0; i < l->capacity; i++) {
        int64_t in_slot = i - l->offset;
        int written = 0;
        if (n > 0 && in_slot >= 0 && in_slot < (int64_t)l->slot * n) {
            int32_t len = l->records[(in_slot / l->slot) * SS_UDP_RECEIVED_INTS];
            written = len == SS_UDP_TRUNCATED || in_slot % l->slot < len;
        }
        if (!written && l->memory[i] != l->before[i]) FAIL("receive: octet %lld written outside its datagram", (long long)i);
    }
    for (int d = 0; d < n; d++) {
        int32_t len = l->records[d * SS_UDP_RECEIVED_INTS];
        if (len != SS_UDP_TRUNCATED && (len < 0 || len > l->slot)) FAIL("receive: length %d in a %d slot", len, l->slot);
    }
}

static void check_source(const int32_t *r, int from_unix) {
    int32_t port = r[1], w0 = r[2], w1 = r[3], w2 = r[4], w3 = r[5];
    if (from_unix) {
        if (port != 0 || w0 != 0 || w1 != 0 || w2 != 0 || w3 != 0) FAIL("a UNIX peer reported port %d", port);
        return;
    }
    int v4 = w0 == 0 && w1 == 0 && w2 == 0xffff && (uint32_t)w3 >> 24 == 127;
    int v6 = w0 == 0 && w1 == 0 && w2 == 0 && w3 == 1;
    if (!v4 && !v6) FAIL("source %08x:%08x:%08x:%08x is not loopback", w0, w1, w2, w3);
    if (port != ports[V4A] && port != ports[V4B] && port != ports[V6]) FAIL("source port %d is none of ours", port);
}

/* Queue datagrams on the socketpair, receive them with a random layout and check every one. */
static void unix_receive(input *in) {
    static uint8_t sent[MAX_QUEUED][MAX_DATAGRAM];
    static int32_t sent_len[MAX_QUEUED];
    int want = u8(in) % MAX_QUEUED, queued = 0;
    for (int d = 0; d < want; d++) {
        int32_t len = u8(in) % 4 == 0 ? (int32_t)(u8(in) % 3) : (int32_t)(u16(in) % MAX_DATAGRAM);
        uint8_t seed = u8(in);
        for (int32_t i = 0; i < len; i++) sent[d][i] = (uint8_t)(seed + i * 13);
        if (send(fds[UNIX_OUT], sent[d], (size_t)len, MSG_DONTWAIT) != len) break;
        sent_len[d] = len;
        queued++;
    }
    layout l;
    read_layout(in, &l);
    scribble_stack();
    int rc = ss_udp_receive(fds[UNIX_IN], l.memory, l.capacity, l.offset, l.slot, l.max, l.records, l.ints);
    check_receive(fds[UNIX_IN], &l, rc);
    if (layout_valid(fds[UNIX_IN], &l)) {
        int expect = queued < l.max ? queued : l.max;
        if (rc != expect) FAIL("receive: %d datagrams of %d queued for %d slots", rc, queued, l.max);
        for (int d = 0; d < rc; d++) {
            const int32_t *r = l.records + d * SS_UDP_RECEIVED_INTS;
            const uint8_t *slot = l.memory + l.offset + (int64_t)d * l.slot;
            int cut = sent_len[d] > l.slot;
            if (r[0] != (cut ? SS_UDP_TRUNCATED : sent_len[d])) FAIL("datagram %d of %d octets reported as %d", d, sent_len[d], r[0]);
            if (memcmp(slot, sent[d], (size_t)(cut ? l.slot : sent_len[d])) != 0) FAIL("datagram %d: wrong bytes in its slot", d);
            check_source(r, 1);
        }
    }
    free_layout(&l);
}

/* A destination: only our own sockets' ports on loopback, or what the call must skip. */
static void destination(input *in, int32_t *r) {
    static const int32_t bad_ports[] = { 0, -1, 65536, INT32_MIN, INT32_MAX };
    uint8_t p = u8(in) % 8;
    r[0] = p < 3 ? ports[p] : bad_ports[(p - 3) % 5];
    switch (u8(in) % 4) {
    case 0: r[1] = 0; r[2] = 0; r[3] = 0xffff; r[4] = 0x7f000001; break;   /* 127.0.0.1 */
    case 1: r[1] = 0; r[2] = 0; r[3] = 0xffff; r[4] = 0x7f000002; break;   /* 127.0.0.2, nobody */
    case 2: r[1] = 0; r[2] = 0; r[3] = 0; r[4] = 1; break;                  /* ::1 */
    default: r[1] = 0; r[2] = 0; r[3] = 0xffff; r[4] = 0x7f000001; r[0] = ports[V6]; break; /* mapped to a v6-only socket */
    }
}

/* After a send: a receive with a random layout on a random socket, structural checks only (UDP may arrive later). */
static void receive_on_any(input *in) {
    int to = pick_fd(in);
    layout l;
    read_layout(in, &l);
    scribble_stack();
    int rc = ss_udp_receive(to, l.memory, l.capacity, l.offset, l.slot, l.max, l.records, l.ints);
    check_receive(to, &l, rc);
    for (int d = 0; d < rc; d++) check_source(l.records + d * SS_UDP_RECEIVED_INTS, to == fds[UNIX_IN]);
    free_layout(&l);
}

static void send_then_receive(input *in) {
    int from = pick_fd(in);
    int64_t capacity = (int64_t)(u16(in) % 8192);
    int no_memory = u8(in) % 16 == 0;
    int32_t count = u8(in) % 4 == 0 ? layout_int(in) : (int32_t)(u8(in) % (SS_UDP_MAX_DATAGRAMS + 2));
    size_t ints = (size_t)(u8(in) % (SS_UDP_MAX_DATAGRAMS + 2)) * SS_UDP_SENT_INTS;
    ints += u8(in) % 8 == 0 ? u8(in) % 7 : 0;  /* sometimes not a whole number of records */
    uint8_t *memory = no_memory ? NULL : malloc((size_t)capacity);
    uint8_t *before = malloc((size_t)capacity);
    int32_t *records = malloc(ints * sizeof(int32_t));
    int32_t *records_before = malloc(ints * sizeof(int32_t));
    if ((!no_memory && memory == NULL) || before == NULL || records == NULL || records_before == NULL) abort();
    for (int64_t i = 0; i < capacity; i++) before[i] = (uint8_t)(i * 7 + 1);
    if (memory != NULL) memcpy(memory, before, (size_t)capacity);
    int wellformed = 0;
    for (size_t i = 0; i + SS_UDP_SENT_INTS <= ints; i += SS_UDP_SENT_INTS) {
        records[i] = layout_int(in);
        records[i + 1] = layout_int(in);
        destination(in, records + i + 2);
        int64_t off = records[i], len = records[i + 1];
        if ((int32_t)(i / SS_UDP_SENT_INTS) < count && off >= 0 && len >= 0 && off + len <= capacity
                && records[i + 2] > 0 && records[i + 2] <= 65535) {
            wellformed++;
        }
    }
    for (size_t i = ints - ints % SS_UDP_SENT_INTS; i < ints; i++) records[i] = (int32_t)u32(in);
    memcpy(records_before, records, ints * sizeof(int32_t));
    int rc = ss_udp_send(from, memory, capacity, records, ints, count);
    int valid = from >= 0 && memory != NULL && count >= 0 && count <= SS_UDP_MAX_DATAGRAMS
        && ints >= (size_t)count * SS_UDP_SENT_INTS;
    if (!valid && rc != -EINVAL) FAIL("send: invalid call (count %d, %zu ints) gave %d", count, ints, rc);
    if (valid && (rc < 0 || rc > wellformed)) FAIL("send: %d sent of %d well-formed records", rc, wellformed);
    if (memory != NULL && memcmp(memory, before, (size_t)capacity) != 0) FAIL("send wrote into the memory");
    if (memcmp(records, records_before, ints * sizeof(int32_t)) != 0) FAIL("send wrote into the records");
    free(memory);
    free(before);
    free(records);
    free(records_before);

    receive_on_any(in);
}

static void send_many_then_receive(input *in) {
    int use_ring = u8(in) & 1;
    int64_t capacity = (int64_t)(u16(in) % 8192);
    int no_memory = u8(in) % 16 == 0;
    int32_t count = u8(in) % 4 == 0 ? layout_int(in) : (int32_t)(u8(in) % (SS_UDP_MAX_DATAGRAMS + 2));
    size_t ints = (size_t)(u8(in) % (SS_UDP_MAX_DATAGRAMS + 2)) * SS_UDP_SENT_MANY_INTS;
    ints += u8(in) % 8 == 0 ? u8(in) % 7 : 0;  /* sometimes not a whole number of records */
    size_t room = u8(in) % 8 == 0 ? (size_t)(u8(in) % 8) : SS_UDP_MAX_DATAGRAMS + 1;
    uint8_t *memory = no_memory ? NULL : malloc((size_t)capacity);
    uint8_t *before = malloc((size_t)capacity);
    int32_t *records = malloc(ints * sizeof(int32_t));
    int32_t *records_before = malloc(ints * sizeof(int32_t));
    int32_t *results = malloc((room + 1) * sizeof(int32_t));
    if ((!no_memory && memory == NULL) || before == NULL || records == NULL || records_before == NULL || results == NULL) abort();
    for (int64_t i = 0; i < capacity; i++) before[i] = (uint8_t)(i * 7 + 1);
    if (memory != NULL) memcpy(memory, before, (size_t)capacity);
    for (size_t i = 0; i <= room; i++) results[i] = 0x5a5a5a5a;
    for (size_t i = 0; i + SS_UDP_SENT_MANY_INTS <= ints; i += SS_UDP_SENT_MANY_INTS) {
        records[i] = pick_fd(in);
        records[i + 1] = layout_int(in);
        records[i + 2] = layout_int(in);
        destination(in, records + i + 3);
    }
    for (size_t i = ints - ints % SS_UDP_SENT_MANY_INTS; i < ints; i++) records[i] = (int32_t)u32(in);
    memcpy(records_before, records, ints * sizeof(int32_t));
    int rc = ss_udp_send_many(memory, capacity, records, ints, count, results, room, use_ring);
    int valid = memory != NULL && count >= 0 && count <= SS_UDP_MAX_DATAGRAMS
        && ints >= (size_t)count * SS_UDP_SENT_MANY_INTS && room >= (size_t)count;
    if (!valid && rc != -EINVAL) FAIL("send_many: invalid call (count %d, %zu ints, room %zu) gave %d", count, ints, room, rc);
    if (!valid || rc < 0) {
        for (size_t i = 0; i <= room; i++) {
            if (results[i] != 0x5a5a5a5a) FAIL("send_many: a refused call wrote result %zu", i);
        }
    } else {
        int sent = 0;
        for (int32_t i = 0; i < count; i++) {
            const int32_t *d = records + (size_t)i * SS_UDP_SENT_MANY_INTS;
            int64_t off = d[1], len = d[2];
            int wellformed = d[0] >= 0 && off >= 0 && len >= 0 && off + len <= capacity && d[3] > 0 && d[3] <= 65535;
            if (!wellformed && results[i] != -EINVAL) FAIL("send_many: malformed record %d answered %d", i, results[i]);
            if (results[i] >= 0 && results[i] != len) FAIL("send_many: record %d of %lld octets sent as %d", i, (long long)len, results[i]);
            if (results[i] < 0 && results[i] < -4095) FAIL("send_many: record %d answered %d, no errno", i, results[i]);
            if (results[i] >= 0) sent++;
        }
        if (rc != sent) FAIL("send_many: returned %d, its results say %d", rc, sent);
        for (size_t i = (size_t)count; i <= room; i++) {
            if (results[i] != 0x5a5a5a5a) FAIL("send_many: result %zu written past %d records", i, count);
        }
    }
    if (memory != NULL && memcmp(memory, before, (size_t)capacity) != 0) FAIL("send_many wrote into the memory");
    if (memcmp(records, records_before, ints * sizeof(int32_t)) != 0) FAIL("send_many wrote into the records");
    free(memory);
    free(before);
    free(records);
    free(records_before);
    free(results);

    receive_on_any(in);
}

/* A few operations per input, so one input can leave a state (a socket's queue, the stack) to the next. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input in = { data, size };
    for (int op = 0; op < 4 && in.n > 0; op++) {
        switch (u8(&in) % 3) {
        case 0: unix_receive(&in); break;
        case 1: send_then_receive(&in); break;
        default: send_many_then_receive(&in); break;
        }
        drain();
    }
    return 0;
}
